package dev.winch.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test run and the identities it issues, as a real cluster's operator would
 * hand them out (Strimzi's cluster CA, a cert-manager issuer): a broker certificate for the addresses clients dial,
 * client certificates for mutual TLS. Written as PEM (what Kafka takes inline, {@code ssl.truststore.certificates})
 * or as PKCS12 files (what Kafka takes by path, {@code ssl.keystore.location}).
 *
 * <p>EC P-256 keys: generated in milliseconds, unlike RSA, and taken by Kafka's TLS and PEM loaders alike.
 * Needs {@code org.bouncycastle:bcpkix-jdk18on} on the test classpath (an optional dependency of the testkit).
 */
public final class TestCertificates {

  private static final Duration VALIDITY = Duration.ofDays(2);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestCertificates() {
  }

  /** A new self-signed certificate authority named {@code CN=<name>}. */
  public static Authority authority(String name) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    try {
      X509v3CertificateBuilder builder = builder(subject, subject, keys);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Authority(subject, keys, sign(builder, keys.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A certificate authority: issues identities, and is what a truststore holds. */
  public static final class Authority {

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private Authority(X500Name name, KeyPair keys, X509Certificate certificate) {
      this.name = name;
      this.keys = keys;
      this.certificate = certificate;
    }

    public X509Certificate certificate() {
      return certificate;
    }

    /** The CA certificate as PEM, e.g. for {@code ssl.truststore.certificates} with {@code ssl.truststore.type=PEM}. */
    public String certificatePem() {
      return pem("CERTIFICATE", encoded(certificate));
    }

    /** A PKCS12 truststore holding the CA certificate. */
    public Path writeTruststore(Path file, String password) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate);
        return write(store, file, password);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("could not write truststore " + file, e);
      }
    }

    /**
     * Issues a certificate for {@code commonName}, good for both TLS server and client authentication.
     *
     * @param addresses subject alternative names: IP literals become IP entries, anything else a DNS name
     */
    public Identity issue(String commonName, String... addresses) {
      KeyPair identity = newKeyPair();
      try {
        X509v3CertificateBuilder builder = builder(name, new X500Name("CN=" + commonName), identity);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        if (addresses.length > 0) {
          List<GeneralName> names = new ArrayList<>();
          for (String address : addresses) {
            names.add(isIpLiteral(address)
                ? new GeneralName(GeneralName.iPAddress, address)
                : new GeneralName(GeneralName.dNSName, address));
          }
          builder.addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return new Identity(identity.getPrivate(), List.of(sign(builder, keys.getPrivate()), certificate));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A private key with its certificate chain (the leaf first, then the CA). */
  public static final class Identity {

    private final PrivateKey key;
    private final List<X509Certificate> chain;

    private Identity(PrivateKey key, List<X509Certificate> chain) {
      this.key = key;
      this.chain = List.copyOf(chain);
    }

    /** The chain as PEM, e.g. for {@code ssl.keystore.certificate.chain} with {@code ssl.keystore.type=PEM}. */
    public String certificateChainPem() {
      StringBuilder pem = new StringBuilder();
      chain.forEach(c -> pem.append(pem("CERTIFICATE", encoded(c))));
      return pem.toString();
    }

    /** The private key as unencrypted PKCS#8 PEM, e.g. for {@code ssl.keystore.key}. */
    public String privateKeyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }

    /** A PKCS12 keystore with the key and its chain, the key protected by the store's password. */
    public Path writeKeystore(Path file, String password) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("identity", key, password.toCharArray(), chain.toArray(Certificate[]::new));
        return write(store, file, password);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("could not write keystore " + file, e);
      }
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject,
        subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("could not sign a test certificate", e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC key pair generator", e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static Path write(KeyStore store, Path file, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }

  private static boolean isIpLiteral(String address) {
    if (!address.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      // A literal is parsed, never looked up.
      InetAddress.getByName(address);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
