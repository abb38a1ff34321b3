package dev.umarvel.mbeir;

/** A malformed line of an M-BEIR file, located as "file:line: reason". */
public final class MbeirFormatException extends RuntimeException {

    private final String file;
    private final long line;

    public MbeirFormatException(String file, long line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public long line() {
        return line;
    }
}
