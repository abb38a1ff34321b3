package dev.umarvel.embedder;

import dev.umarvel.serving.ServingConfig;
import io.smallrye.config.ConfigMapping;

/** embedder-svc settings (application.properties, prefix {@code umarvel}): the shared serving settings. */
@ConfigMapping(prefix = "umarvel")
public interface EmbedderConfig extends ServingConfig {}
