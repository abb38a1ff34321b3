package dev.umarvel.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {

    @TempDir
    Path dir;

    @Test
    void offGivesNothing() {
        assertTrue(TlsConfigSourceFactory.settings(Map.<String, String>of()::get).isEmpty());
        assertTrue(TlsConfigSourceFactory.settings(Map.of("umarvel.tls.mode", "OFF")::get).isEmpty());
    }

    @Test
    void mutualClosesThePlainPortRequestsClientCertificatesAndSecuresTheClients() throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dir);
        ca.issue("tls", List.of("localhost"));
        Map<String, String> config = new HashMap<>(Map.of("umarvel.tls.mode", "mutual", "umarvel.tls.cert", dir.resolve("tls.crt").toString(),
                "umarvel.tls.key", dir.resolve("tls.key").toString(), "umarvel.tls.ca", dir.resolve("ca.crt").toString(),
                "quarkus.http.port", "9091", "umarvel.tls.clients", "embedder"));
        Map<String, String> s = TlsConfigSourceFactory.settings(config::get);
        assertEquals("9091", s.get("quarkus.http.ssl-port"), "TLS on the service's own port");
        assertEquals("disabled", s.get("quarkus.http.insecure-requests"));
        assertEquals(dir.resolve("ca.crt").toString(), s.get("quarkus.tls.trust-store.pem.certs"));
        assertEquals("tls", s.get("quarkus.grpc.clients.embedder.negotiation-type"));
        assertEquals(dir.resolve("tls.key").toString(), s.get("quarkus.grpc.clients.embedder.ssl.key"));
        assertFalse(s.containsKey("quarkus.grpc.clients.trainer.negotiation-type"));

        config.put("umarvel.tls.mode", "server");
        config.remove("umarvel.tls.ca");
        Map<String, String> server = TlsConfigSourceFactory.settings(config::get);
        assertFalse(server.containsKey("quarkus.tls.trust-store.pem.certs"), "no CA given: the JDK's trust");
        assertFalse(server.containsKey("quarkus.grpc.clients.embedder.ssl.key"), "no client certificate in server mode");
    }

    @Test
    void missingFilesAndUnknownModesAreNamed() {
        assertEquals("umarvel.tls.cert must be set when umarvel.tls.mode is server", assertThrows(IllegalArgumentException.class,
                () -> TlsConfigSourceFactory.settings(Map.of("umarvel.tls.mode", "server")::get)).getMessage());
        assertEquals("umarvel.tls.cert=/nope/tls.crt: no readable file there", assertThrows(IllegalArgumentException.class,
                () -> TlsConfigSourceFactory.settings(Map.of("umarvel.tls.mode", "server", "umarvel.tls.cert", "/nope/tls.crt")::get)).getMessage());
        assertEquals("umarvel.tls.mode must be off, server or mutual, not 'on'", assertThrows(IllegalArgumentException.class,
                () -> TlsConfigSourceFactory.settings(Map.of("umarvel.tls.mode", "on")::get)).getMessage());
    }

    @Test
    void issuedCertificatesChainToTheAuthorityAndNameTheirHosts() throws Exception {
        CertificateAuthority ca = CertificateAuthority.open(dir);
        ca.issue("server", List.of("localhost", "127.0.0.1", "umarvel-embedder"));
        var caCert = CertificateAuthority.readCertificate(dir.resolve("ca.crt"));
        var cert = CertificateAuthority.readCertificate(dir.resolve("server.crt"));
        cert.verify(caCert.getPublicKey());
        assertEquals(List.of("localhost", "127.0.0.1", "umarvel-embedder"),
                cert.getSubjectAlternativeNames().stream().map(n -> (String) n.get(1)).toList());
        assertTrue(cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
        CertificateAuthority again = CertificateAuthority.open(dir);
        again.issue("client", List.of("localhost"));
        CertificateAuthority.readCertificate(dir.resolve("client.crt")).verify(caCert.getPublicKey());
        CertificateAuthority.readKey(dir.resolve("client.key"));
    }
}
