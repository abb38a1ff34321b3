package dev.umarvel.onnximport;

import com.google.protobuf.CodedInputStream;
import dev.umarvel.model.io.TensorFile.Tensor;
import dev.umarvel.onnximport.proto.OnnxModel;
import dev.umarvel.onnximport.proto.OnnxNode;
import dev.umarvel.onnximport.proto.OnnxTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of an ONNX graph: its float initialisers by name, and for each node the initialisers it
 * reads. Exporters keep PyTorch's names for some tensors ({@code embeddings.word_embeddings.weight})
 * and give others generated ones ({@code onnx::MatMul_1234}); those are found through the node that uses
 * them ({@code /encoder/layer.0/attention/self/query/MatMul}).
 */
public final class OnnxWeights {

    private static final int FLOAT = 1;
    private static final int EXTERNAL = 1;

    private final Map<String, Tensor> initialisers;
    private final Map<String, List<String>> nodeInputs;
    private final String producer;

    private OnnxWeights(Map<String, Tensor> initialisers, Map<String, List<String>> nodeInputs, String producer) {
        this.initialisers = initialisers;
        this.nodeInputs = nodeInputs;
        this.producer = producer;
    }

    /** Reads a whole {@code .onnx} file (a ModelProto); weights stored outside it are refused. */
    public static OnnxWeights read(InputStream in, String source) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in);
        coded.setSizeLimit(Integer.MAX_VALUE); // a graph with its weights is far above protobuf's 64 MB default
        OnnxModel model;
        try {
            model = OnnxModel.parseFrom(coded);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IOException(source + ": not an ONNX model: " + e.getMessage(), e);
        }
        if (!model.hasGraph()) {
            throw new IOException(source + ": not an ONNX model (no graph)");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (OnnxTensor t : model.getGraph().getInitializerList()) {
            if (t.getDataLocation() == EXTERNAL) {
                throw new IOException(source + ": initialiser " + t.getName() + " is stored outside the graph file");
            }
            if (t.getDataType() == FLOAT) {
                tensors.put(t.getName(), new Tensor(t.getDimsList().stream().mapToLong(Long::longValue).toArray(), floats(t)));
            }
        }
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        for (OnnxNode n : model.getGraph().getNodeList()) {
            inputs.put(n.getName(), new ArrayList<>(n.getInputList()));
        }
        return new OnnxWeights(tensors, inputs, model.getProducerName());
    }

    private static float[] floats(OnnxTensor t) throws IOException {
        if (t.getRawData().isEmpty()) {
            float[] out = new float[t.getFloatDataCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.getFloatData(i);
            }
            return out;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (raw.remaining() % Float.BYTES != 0) {
            throw new IOException("initialiser " + t.getName() + ": " + raw.remaining() + " raw bytes are not whole floats");
        }
        float[] out = new float[raw.remaining() / Float.BYTES];
        raw.asFloatBuffer().get(out);
        return out;
    }

    /** The float initialiser of this name. */
    public Tensor tensor(String name) {
        Tensor t = initialisers.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the graph has no float initialiser " + name);
        }
        return t;
    }

    /** The one float initialiser the node of this name reads (e.g. a MatMul's weight). */
    public Tensor weightOf(String node) {
        List<String> in = nodeInputs.get(node);
        if (in == null) {
            throw new IllegalArgumentException("the graph has no node " + node);
        }
        List<String> weights = in.stream().filter(initialisers::containsKey).toList();
        if (weights.size() != 1) {
            throw new IllegalArgumentException("node " + node + " reads " + weights.size() + " initialisers " + weights + ", not one");
        }
        return initialisers.get(weights.get(0));
    }

    /** Names of every float initialiser, in the graph's order. */
    public List<String> names() {
        return List.copyOf(initialisers.keySet());
    }

    /** Names of every node, in the graph's order. */
    public List<String> nodes() {
        return List.copyOf(nodeInputs.keySet());
    }

    public String producer() {
        return producer;
    }
}
