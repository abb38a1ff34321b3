package dev.umarvel.cli;

import dev.umarvel.security.CertificateAuthority;
import dev.umarvel.security.Scope;
import dev.umarvel.security.TokenFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** {@code umarvel security ...}: certificates and tokens for a deployment that has no other source of them. */
@Command(showDefaultValues = true, name = "security", mixinStandardHelpOptions = true, description = "Make certificates and tokens for mutual TLS and bearer-token auth.",
        subcommands = {SecurityCommand.Init.class, SecurityCommand.Token.class})
final class SecurityCommand {

    @Command(showDefaultValues = true, name = "init", mixinStandardHelpOptions = true, description = "A CA, a service certificate (tls.crt/key), a client "
            + "certificate (client.crt/key) and a tokens file with an 'admin' token (all scopes, admin.token) and the orchestrator's "
            + "own (orchestrator.token). What exists already is kept.")
    static final class Init implements Callable<Integer> {
        @Option(showDefaultValue = Visibility.NEVER, names = "--dir", defaultValue = "security", description = "Where to write them (default: ./security).")
        Path dir;

        @Option(names = "--name", split = ",", description = "More host names or IPs the services answer to (localhost, 127.0.0.1 and "
                + "the Kubernetes Services of k8s/ in namespace umarvel are always in; default: none more).")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            List<String> all = new ArrayList<>(CertificateAuthority.DEFAULT_NAMES);
            all.addAll(names);
            init(dir, all);
            System.out.println("wrote " + dir.toAbsolutePath() + ": ca.crt, tls.crt/key (services), client.crt/key, tokens, admin.token, "
                    + "orchestrator.token");
            System.out.println("run a service with: -Dumarvel.tls.mode=mutual -Dumarvel.tls.cert=" + dir.resolve("tls.crt")
                    + " -Dumarvel.tls.key=" + dir.resolve("tls.key") + " -Dumarvel.tls.ca=" + dir.resolve("ca.crt")
                    + " -Dumarvel.auth.tokens-file=" + dir.resolve("tokens"));
            System.out.println("call it with:    umarvel search ... --tls-dir " + dir + " --token-file " + dir.resolve("admin.token"));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "token", mixinStandardHelpOptions = true, description = "Add a token to a tokens file and print it (once: the file keeps its digest only).")
    static final class Token implements Callable<Integer> {
        @Option(names = "--tokens-file", required = true, description = "The file the services read (umarvel.auth.tokens-file).")
        Path file;

        @Option(names = "--name", required = true, description = "Who holds it (what the services' messages name).")
        String name;

        @Option(names = "--scopes", required = true, description = "Comma-separated: search, admin, train.")
        String scopes;

        @Override
        public Integer call() throws IOException {
            System.out.println(TokenFile.add(file, name, Scope.parseList(scopes)));
            return 0;
        }
    }

    /** Makes whatever of the set is missing in {@code dir}; idempotent, so a quickstart can call it every time. */
    static void init(Path dir, List<String> names) throws IOException {
        CertificateAuthority ca = CertificateAuthority.open(dir);
        if (!Files.exists(dir.resolve("tls.crt"))) {
            ca.issue("tls", names);
        }
        if (!Files.exists(dir.resolve("client.crt"))) {
            ca.issue("client", List.of("localhost"));
        }
        Path tokens = dir.resolve("tokens");
        for (String holder : List.of("admin", "orchestrator")) {
            Path tokenFile = dir.resolve(holder + ".token");
            if (!Files.exists(tokenFile)) {
                String token = TokenFile.add(tokens, holder, EnumSet.allOf(Scope.class));
                try {
                    Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(tokenFile); // not POSIX: the directory's permissions protect it
                }
                Files.writeString(tokenFile, token + "\n");
            }
        }
    }
}
