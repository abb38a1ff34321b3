package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.MbeirCandidate;
import java.util.List;

/** Embeds queries and candidates (L2-normalised rows); images are paths relative to the dataset root. */
public interface Encoder {

    float[][] queries(List<QueryInput> batch) throws Exception;

    float[][] candidates(List<MbeirCandidate> batch) throws Exception;
}
