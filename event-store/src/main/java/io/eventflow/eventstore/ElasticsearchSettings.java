package io.eventflow.eventstore;

import co.elastic.clients.transport.TransportUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.HttpHost;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How a service reaches Elasticsearch: the node URLs, the credentials (an API key, or a user and
 * password) and the TLS trust (a CA file, a CA fingerprint, or the JVM's trust store), read from
 * the {@code elasticsearch.*} keys of {@link CommonConfig#defineElasticsearch} and checked
 * together, so that a half-set credential or TLS settings on an {@code http} URL fail at start-up.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows a secret.
 */
public final class ElasticsearchSettings {
    /** How the server's certificate is checked: {@code full} (chain and host name) or {@code certificate} (chain only). */
    public enum Verification { FULL, CERTIFICATE }

    private final List<HttpHost> hosts;
    private final Optional<String> authorization;
    private final String credentialsKey;
    private final Optional<Path> certificateAuthorities;
    private final Optional<String> caFingerprint;
    private final Verification verification;
    /** Built once, when the settings are read: an unreadable CA file fails then, naming the key. */
    private final Optional<SSLContext> sslContext;

    private ElasticsearchSettings(List<HttpHost> hosts, Optional<String> authorization, String credentialsKey,
            Optional<Path> certificateAuthorities, Optional<String> caFingerprint, Verification verification) {
        this.hosts = List.copyOf(hosts);
        this.authorization = authorization;
        this.credentialsKey = credentialsKey;
        this.certificateAuthorities = certificateAuthorities;
        this.caFingerprint = caFingerprint;
        this.verification = verification;
        this.sslContext = buildSslContext();
    }

    /** Plain URLs, no credentials: for tools and tests against an unsecured node. */
    public static ElasticsearchSettings ofUrls(String urls) {
        return new ElasticsearchSettings(hosts(CommonConfig.ELASTICSEARCH_URL, urls), Optional.empty(), "",
                Optional.empty(), Optional.empty(), Verification.FULL);
    }

    /**
     * The settings of {@code config}, which must define the keys of {@link CommonConfig#defineElasticsearch}.
     *
     * @throws ConfigException naming the key, when the keys do not fit together or a CA file cannot be read
     */
    public static ElasticsearchSettings from(AbstractConfig config) {
        List<HttpHost> hosts = hosts(CommonConfig.ELASTICSEARCH_URL, config.getString(CommonConfig.ELASTICSEARCH_URL));
        String apiKey = secret(config.getPassword(CommonConfig.ELASTICSEARCH_API_KEY));
        String username = blankToNull(config.getString(CommonConfig.ELASTICSEARCH_USERNAME));
        String password = secret(config.getPassword(CommonConfig.ELASTICSEARCH_PASSWORD));
        Optional<String> authorization = Optional.empty();
        String credentialsKey = "";
        if (apiKey != null && (username != null || password != null)) {
            throw new ConfigException(CommonConfig.ELASTICSEARCH_API_KEY, "[hidden]", "set either "
                    + CommonConfig.ELASTICSEARCH_API_KEY + " or " + CommonConfig.ELASTICSEARCH_USERNAME + " and "
                    + CommonConfig.ELASTICSEARCH_PASSWORD + ", not both");
        }
        if (apiKey != null) {
            authorization = Optional.of("ApiKey " + apiKey);
            credentialsKey = CommonConfig.ELASTICSEARCH_API_KEY;
        } else if (username != null || password != null) {
            if (username == null || password == null) {
                throw new ConfigException(username == null ? CommonConfig.ELASTICSEARCH_USERNAME
                        : CommonConfig.ELASTICSEARCH_PASSWORD, null, "basic authentication needs both "
                        + CommonConfig.ELASTICSEARCH_USERNAME + " and " + CommonConfig.ELASTICSEARCH_PASSWORD);
            }
            authorization = Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
            credentialsKey = CommonConfig.ELASTICSEARCH_USERNAME + "/" + CommonConfig.ELASTICSEARCH_PASSWORD;
        }
        Optional<Path> ca = Optional.ofNullable(blankToNull(config.getString(CommonConfig.ELASTICSEARCH_SSL_CA)))
                .map(Path::of);
        Optional<String> fingerprint = Optional.ofNullable(
                blankToNull(config.getString(CommonConfig.ELASTICSEARCH_SSL_CA_FINGERPRINT)));
        if (ca.isPresent() && fingerprint.isPresent()) {
            throw new ConfigException(CommonConfig.ELASTICSEARCH_SSL_CA_FINGERPRINT, fingerprint.get(), "set either "
                    + CommonConfig.ELASTICSEARCH_SSL_CA + " or " + CommonConfig.ELASTICSEARCH_SSL_CA_FINGERPRINT
                    + ", not both");
        }
        Verification verification = Verification.valueOf(
                config.getString(CommonConfig.ELASTICSEARCH_SSL_VERIFICATION_MODE).toUpperCase(Locale.ROOT));
        boolean tls = hosts.get(0).getSchemeName().equals("https");
        boolean tlsSettings = ca.isPresent() || fingerprint.isPresent() || verification != Verification.FULL;
        if (tlsSettings && !tls) {
            throw new ConfigException(CommonConfig.ELASTICSEARCH_URL, config.getString(CommonConfig.ELASTICSEARCH_URL),
                    "the elasticsearch.ssl.* keys are set but the URLs are http: use https URLs");
        }
        return new ElasticsearchSettings(hosts, authorization, credentialsKey, ca, fingerprint, verification);
    }

    private static List<HttpHost> hosts(String key, String urls) {
        List<HttpHost> hosts = new ArrayList<>();
        for (String url : urls.split(",")) {
            String u = url.trim();
            if (u.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, urls, "'" + u + "' is not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(key, urls, "'" + u + "' must be an http:// or https:// URL with a host");
            }
            if (uri.getUserInfo() != null) {
                throw new ConfigException(key, "[hidden]", "URLs must not hold credentials: use "
                        + CommonConfig.ELASTICSEARCH_USERNAME + "/" + CommonConfig.ELASTICSEARCH_PASSWORD + " or "
                        + CommonConfig.ELASTICSEARCH_API_KEY);
            }
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                throw new ConfigException(key, urls, "'" + u + "' has a path; give the node's base URL");
            }
            hosts.add(new HttpHost(uri.getHost(), uri.getPort() == -1 ? (uri.getScheme().equals("https") ? 443 : 9200)
                    : uri.getPort(), uri.getScheme()));
        }
        if (hosts.isEmpty()) {
            throw new ConfigException(key, urls, "must name at least one URL");
        }
        if (hosts.stream().map(HttpHost::getSchemeName).distinct().count() > 1) {
            throw new ConfigException(key, urls, "mixes http and https URLs: a cluster is reached one way");
        }
        return hosts;
    }

    private static String secret(Password p) {
        return p == null ? null : blankToNull(p.value());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The nodes, in the order given. */
    public List<HttpHost> hosts() {
        return hosts;
    }

    /** The {@code Authorization} header value, when credentials are set. A secret: never log it. */
    Optional<String> authorization() {
        return authorization;
    }

    /** True when the URLs are https. */
    public boolean tls() {
        return hosts.get(0).getSchemeName().equals("https");
    }

    public Verification verification() {
        return verification;
    }

    /** The key(s) the credentials came from, for error messages; empty without credentials. */
    public String credentialsKey() {
        return credentialsKey;
    }

    /**
     * The TLS context: trusting the CA file's certificates, or a CA with the given fingerprint.
     * Empty for http, or to use the JVM's default trust store.
     */
    Optional<SSLContext> sslContext() {
        return sslContext;
    }

    /** @throws ConfigException when the CA file cannot be read or holds no certificate */
    private Optional<SSLContext> buildSslContext() {
        if (!tls()) {
            return Optional.empty();
        }
        if (caFingerprint.isPresent()) {
            return Optional.of(TransportUtils.sslContextFromCaFingerprint(caFingerprint.get().replace(":", "")));
        }
        if (certificateAuthorities.isEmpty()) {
            return Optional.empty();
        }
        Path path = certificateAuthorities.get();
        try (InputStream in = Files.newInputStream(path)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ConfigException(CommonConfig.ELASTICSEARCH_SSL_CA, path.toString(), "holds no certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(CommonConfig.ELASTICSEARCH_SSL_CA, path.toString(),
                    "cannot read a PEM certificate from it: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Elasticsearch " + hosts + (credentialsKey.isEmpty() ? ", no credentials" : ", credentials from "
                + credentialsKey) + (tls() ? ", TLS " + verification.name().toLowerCase(Locale.ROOT)
                + certificateAuthorities.map(p -> ", CA " + p).orElse("")
                + caFingerprint.map(f -> ", CA fingerprint " + f).orElse("") : "");
    }
}
