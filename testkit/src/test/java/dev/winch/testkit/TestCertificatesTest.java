package dev.winch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificates the TLS tests rely on are what a real CA would issue: JSSE accepts them as such. */
class TestCertificatesTest {

  @Test
  void anIssuedCertificateIsTrustedThroughItsAuthorityOnlyForItsAddresses(@TempDir Path dir) throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority("Test CA");
    TestCertificates.Identity broker = ca.issue("localhost", "localhost", "127.0.0.1");

    X509Certificate[] chain = parse(broker.certificateChainPem()).toArray(X509Certificate[]::new);
    assertThat(chain).hasSize(2);
    assertThat(chain[1]).isEqualTo(ca.certificate());
    List<Object> names = chain[0].getSubjectAlternativeNames().stream().map(san -> (Object) san.get(1)).toList();
    assertThat(names).containsExactlyInAnyOrder("localhost", "127.0.0.1");

    trustManager(ca.writeTruststore(dir.resolve("ca.p12"), "pw")).checkServerTrusted(chain, "ECDHE_ECDSA");
    X509TrustManager other = trustManager(TestCertificates.authority("Other CA")
        .writeTruststore(dir.resolve("other.p12"), "pw"));
    assertThatThrownBy(() -> other.checkServerTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(java.security.cert.CertificateException.class);
  }

  @Test
  void writesAKeystoreWithTheKeyAndItsChainAndThePrivateKeyAsPkcs8Pem(@TempDir Path dir) throws Exception {
    TestCertificates.Identity client = TestCertificates.authority("Test CA").issue("winch");

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(client.writeKeystore(dir.resolve("client.p12"), "pw"))) {
      store.load(in, "pw".toCharArray());
    }

    assertThat(store.isKeyEntry("identity")).isTrue();
    assertThat(store.getCertificateChain("identity")).hasSize(2);
    assertThat(client.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
  }

  private static List<X509Certificate> parse(String pem) throws Exception {
    Collection<? extends java.security.cert.Certificate> certificates = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    return certificates.stream().map(X509Certificate.class::cast).toList();
  }

  private static X509TrustManager trustManager(Path truststore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(truststore)) {
      store.load(in, "pw".toCharArray());
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }
}
