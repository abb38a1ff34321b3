package dev.umarvel.reranker;

import dev.umarvel.serving.ServingConfig;
import io.smallrye.config.ConfigMapping;

/** reranker-svc settings (application.properties, prefix {@code umarvel}): the shared serving settings. */
@ConfigMapping(prefix = "umarvel")
public interface RerankerConfig extends ServingConfig {}
