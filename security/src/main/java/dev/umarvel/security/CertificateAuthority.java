package dev.umarvel.security;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority for a deployment without one (a laptop, CI, a cluster before cert-manager):
 * {@code ca.crt}/{@code ca.key} and certificates it signs, each usable by a server and as a client certificate.
 * Files are PEM (keys PKCS#8, readable by the owner only), written to a temporary file and renamed.
 */
public final class CertificateAuthority {

    /** Names every local and in-cluster address of the services answers to (the k8s/ Services in namespace umarvel). */
    public static final List<String> DEFAULT_NAMES = defaultNames();

    private static List<String> defaultNames() {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        for (String service : List.of("embedder", "reranker", "trainer", "orchestrator")) {
            names.addAll(List.of(service, service + ".umarvel", service + ".umarvel.svc", service + ".umarvel.svc.cluster.local"));
        }
        return List.copyOf(names);
    }

    private static final Duration VALIDITY = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final X509Certificate caCert;
    private final PrivateKey caKey;

    private CertificateAuthority(Path dir, X509Certificate caCert, PrivateKey caKey) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    /** The authority in {@code dir}, created (ca.crt, ca.key) when it is not there yet. */
    public static CertificateAuthority open(Path dir) throws IOException {
        Path crt = dir.resolve("ca.crt");
        Path key = dir.resolve("ca.key");
        try {
            if (Files.exists(crt) && Files.exists(key)) {
                return new CertificateAuthority(dir, readCertificate(crt), readKey(key));
            }
            Files.createDirectories(dir);
            KeyPair pair = newKeyPair();
            X500Name name = new X500Name("CN=umarvel local CA");
            X509v3CertificateBuilder b = builder(name, name, pair);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate cert = sign(b, pair.getPrivate());
            writePem(key, pair.getPrivate(), true);
            writePem(crt, cert, false);
            return new CertificateAuthority(dir, cert, pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("certificate authority in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code <name>.crt} and {@code <name>.key}, valid for the DNS names and IP addresses in {@code names}. */
    public void issue(String name, List<String> names) throws IOException {
        try {
            KeyPair pair = newKeyPair();
            X509v3CertificateBuilder b = builder(X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=" + name), pair);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            List<GeneralName> alt = new ArrayList<>();
            for (String n : names) {
                alt.add(n.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)));
            X509Certificate cert = sign(b, caKey);
            writePem(dir.resolve(name + ".key"), pair.getPrivate(), true);
            writePem(dir.resolve(name + ".crt"), cert, false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("certificate " + name + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        // RSA rather than EC: every PEM reader on our paths (Vert.x, Netty, the JDK) takes PKCS#8 RSA keys
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
    }

    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : object);
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions are what protect the key
            }
        }
        Files.writeString(tmp, out.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }
}
