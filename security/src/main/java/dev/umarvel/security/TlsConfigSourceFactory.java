package dev.umarvel.security;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the four {@code umarvel.tls.*} settings into the dozen Quarkus ones that secure a service: the TLS
 * registry's key and trust stores, the HTTP server's TLS port (the same number as the plain one, which is
 * closed), client-certificate requests in mutual mode, and TLS on this service's own gRPC clients. Its ordinal
 * (275) sits above application.properties and below environment variables and -D, so any one Quarkus setting
 * can still be overridden.
 *
 * <p>The server asks for client certificates ({@code client-auth=request}, a build-time setting kept in this
 * module's microprofile-config.properties) rather than requiring them, so that kubelet probes and Prometheus reach
 * /q/health and /q/metrics; in mutual mode {@link AuthInterceptor} refuses every gRPC call without a verified one.
 */
public final class TlsConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(settings(name -> value(context, name)), "umarvel.tls", ORDINAL));
    }

    /** The Quarkus settings for the umarvel.tls.* values that {@code config} gives (none when TLS is off). */
    static Map<String, String> settings(Function<String, String> config) {
        String mode = config.apply("umarvel.tls.mode");
        Map<String, String> s = new TreeMap<>();
        if (mode == null || mode.equalsIgnoreCase("off")) {
            return s;
        }
        boolean mutual = switch (mode.toLowerCase(Locale.ROOT)) {
            case "server" -> false;
            case "mutual" -> true;
            default -> throw new IllegalArgumentException("umarvel.tls.mode must be off, server or mutual, not '" + mode + "'");
        };
        String cert = required(config, "umarvel.tls.cert");
        String key = required(config, "umarvel.tls.key");
        String ca = mutual ? required(config, "umarvel.tls.ca") : optionalFile(config, "umarvel.tls.ca");

        s.put("quarkus.tls.key-store.pem.umarvel.cert", cert);
        s.put("quarkus.tls.key-store.pem.umarvel.key", key);
        s.put("quarkus.grpc.server.plain-text", "false");
        s.put("quarkus.http.insecure-requests", "disabled");
        s.put("quarkus.http.ssl-port", orDefault(config.apply("quarkus.http.port"), "8080"));
        s.put("quarkus.http.test-ssl-port", orDefault(config.apply("quarkus.http.test-port"), "8081"));
        if (ca != null) {
            // the server asks every caller for a certificate (client-auth=request, fixed at build time in
            // META-INF/microprofile-config.properties): one that is shown is checked against our CA
            s.put("quarkus.tls.trust-store.pem.certs", ca);
        }
        for (String client : orDefault(config.apply("umarvel.tls.clients"), TlsConfig.DEFAULT_CLIENTS).split(",")) {
            String c = "quarkus.grpc.clients." + client.strip() + ".";
            s.put(c + "negotiation-type", "tls");
            if (ca != null) {
                s.put(c + "ssl.trust-store", ca);
            }
            if (mutual) {
                s.put(c + "ssl.certificate", cert);
                s.put(c + "ssl.key", key);
            }
        }
        return s;
    }

    private static String required(Function<String, String> config, String name) {
        String file = optionalFile(config, name);
        if (file == null) {
            throw new IllegalArgumentException(name + " must be set when umarvel.tls.mode is " + config.apply("umarvel.tls.mode"));
        }
        return file;
    }

    private static String optionalFile(Function<String, String> config, String name) {
        String v = config.apply(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (!Files.isReadable(Path.of(v))) {
            throw new IllegalArgumentException(name + "=" + v + ": no readable file there");
        }
        return v;
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null ? null : v.getValue();
    }

    private static String orDefault(String v, String otherwise) {
        return v == null || v.isBlank() ? otherwise : v;
    }
}
