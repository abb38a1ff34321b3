package dev.umarvel.mbeir.eval;

/** Vectors stored row after row in one array, the layout the search kernel reads fastest. */
public record Matrix(int rows, int dim, float[] data) {

    public Matrix {
        if ((long) rows * dim != data.length) {
            throw new IllegalArgumentException(rows + " x " + dim + " does not match " + data.length + " values");
        }
    }

    public static Matrix of(float[][] vectors) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        float[] data = new float[vectors.length * dim];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + vectors[i].length + " values, expected " + dim);
            }
            System.arraycopy(vectors[i], 0, data, i * dim, dim);
        }
        return new Matrix(vectors.length, dim, data);
    }

    /** The given rows, in the given order. */
    public Matrix rows(java.util.List<Integer> picked) {
        float[] out = new float[picked.size() * dim];
        for (int i = 0; i < picked.size(); i++) {
            System.arraycopy(data, picked.get(i) * dim, out, i * dim, dim);
        }
        return new Matrix(picked.size(), dim, out);
    }

    /** The rows of this matrix followed by those of {@code other}. */
    public Matrix append(Matrix other) {
        if (rows > 0 && other.rows > 0 && dim != other.dim) {
            throw new IllegalArgumentException("dimensions differ: " + dim + " vs " + other.dim);
        }
        float[] joined = new float[data.length + other.data.length];
        System.arraycopy(data, 0, joined, 0, data.length);
        System.arraycopy(other.data, 0, joined, data.length, other.data.length);
        return new Matrix(rows + other.rows, rows > 0 ? dim : other.dim, joined);
    }
}
