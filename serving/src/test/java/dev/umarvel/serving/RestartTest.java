package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model service restarted after a LoadModel serves what it served, until its configured checkpoint changes. */
class RestartTest {

    @TempDir
    Path store;

    /** A model that is never asked to compute here. */
    private static final ModelServer.Model<String, String> IDLE = new ModelServer.Model<>() {
        public int[] lengths(ServedModel model, List<String> inputs, boolean truncate) {
            return new int[inputs.size()];
        }

        public List<String> run(ServedModel model, List<String> inputs) {
            return inputs;
        }
    };

    private ServingConfig config(String checkpoint) {
        return new ServingConfig() {
            public Path store() {
                return store;
            }

            public Optional<String> checkpoint() {
                return Optional.of(checkpoint);
            }

            public Batch batch() {
                return new Batch() {
                    public int maxItems() {
                        return 8;
                    }

                    public int maxTokens() {
                        return 512;
                    }

                    public Duration maxDelay() {
                        return Duration.ofMillis(1);
                    }

                    public int queueCapacity() {
                        return 16;
                    }

                    public boolean acrossRequests() {
                        return true;
                    }
                };
            }

            public Limits limits() {
                return null;
            }

            public boolean truncateByDefault() {
                return true;
            }

            public boolean rememberLoads() {
                return true;
            }
        };
    }

    private ServiceEngine<String, String> start(String configured) {
        return new ServiceEngine<>("embedder", config(configured), new SimpleMeterRegistry(), IDLE);
    }

    @Test
    void theLastLoadSurvivesARestartAndAChangedConfigurationWins() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            TinyCheckpoints.write(store.resolve("jobs/" + name + "/final"), "embedder", name.charAt(0), 40);
        }
        try (ServiceEngine<String, String> first = start("jobs/a/final")) {
            assertEquals("jobs/a/final", first.server().info().getCheckpointPath());
            first.server().load("jobs/b/final", true); // a Distill's DEPLOY: the old model stays for its collection
        }
        try (ServiceEngine<String, String> restarted = start("jobs/a/final")) {
            assertEquals("jobs/b/final", restarted.server().info().getCheckpointPath());
            assertEquals("jobs/a/final", restarted.server().retainedCheckpoint());
            restarted.server().load("jobs/b/final", false); // the swap is done: nothing retained
        }
        try (ServiceEngine<String, String> again = start("jobs/a/final")) {
            assertEquals("jobs/b/final", again.server().info().getCheckpointPath());
            assertEquals("", again.server().retainedCheckpoint());
        }
        try (ServiceEngine<String, String> reconfigured = start("jobs/c/final")) {
            assertEquals("jobs/c/final", reconfigured.server().info().getCheckpointPath(), "the operator's new checkpoint wins");
        }
    }
}
