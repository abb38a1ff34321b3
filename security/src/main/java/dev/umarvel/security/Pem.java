package dev.umarvel.security;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** JDK TLS contexts from the PEM files of {@link CertificateAuthority} (health checks over HTTPS, plain JDK clients). */
public final class Pem {

    private Pem() {
    }

    /** An SSLContext that trusts only the certificate authority in {@code caCert}. */
    public static SSLContext trusting(Path caCert) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("umarvel-ca", CertificateAuthority.readCertificate(caCert));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("trust store from " + caCert + ": " + e.getMessage(), e);
        }
    }
}
