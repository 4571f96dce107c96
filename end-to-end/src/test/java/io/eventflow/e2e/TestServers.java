package io.eventflow.e2e;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Where the integration tests find Kafka, Elasticsearch and the schema registry: the environment
 * (KAFKA_BOOTSTRAP_SERVERS, ELASTICSEARCH_URL, SCHEMA_REGISTRY_URL; bin/test sets them for its
 * local stack), else Testcontainers when Docker is available, else a failure naming the test
 * command. Started once per JVM.
 */
record TestServers(String kafka, String elasticsearch, String schemaRegistry) {
    static final String TEST_COMMAND = "bin/test";

    private static TestServers instance;

    static synchronized TestServers get() {
        if (instance == null) {
            instance = resolve();
        }
        return instance;
    }

    private static TestServers resolve() {
        String kafka = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        String es = System.getenv("ELASTICSEARCH_URL");
        String registry = System.getenv("SCHEMA_REGISTRY_URL");
        if (kafka != null && es != null && registry != null) {
            return new TestServers(kafka, es, registry);
        }
        if (kafka != null || es != null || registry != null) {
            throw new IllegalStateException("set all of KAFKA_BOOTSTRAP_SERVERS, ELASTICSEARCH_URL and SCHEMA_REGISTRY_URL, "
                    + "or none of them; or run the tests with " + TEST_COMMAND + ", which starts a local stack");
        }
        if (!dockerAvailable()) {
            throw new IllegalStateException("no servers for the integration tests: KAFKA_BOOTSTRAP_SERVERS, ELASTICSEARCH_URL "
                    + "and SCHEMA_REGISTRY_URL are not set and Docker is not available. Run the tests with " + TEST_COMMAND
                    + ", which fetches and starts Kafka, Elasticsearch and a schema registry locally.");
        }
        return fromContainers();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    @SuppressWarnings("resource") // containers live as long as the test JVM; Ryuk removes them
    private static TestServers fromContainers() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
        ElasticsearchContainer es = new ElasticsearchContainer("docker.elastic.co/elasticsearch/elasticsearch:8.19.21")
                .withEnv("xpack.security.enabled", "false")
                .withEnv("cluster.routing.allocation.disk.threshold_enabled", "false")
                .withEnv("ES_JAVA_OPTS", "-Xms512m -Xmx512m");
        GenericContainer<?> registry = new GenericContainer<>("apicurio/apicurio-registry:3.0.9")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200));
        kafka.start();
        es.start();
        registry.start();
        return new TestServers(kafka.getBootstrapServers(), "http://" + es.getHttpHostAddress(),
                "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/ccompat/v7");
    }
}
