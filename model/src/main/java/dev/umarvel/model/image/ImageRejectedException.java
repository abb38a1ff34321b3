package dev.umarvel.model.image;

/** An image the model will not take, and why; services map it to INVALID_ARGUMENT. */
public final class ImageRejectedException extends Exception {

    /** Why an image was refused. */
    public enum Reason {
        /** More bytes than the limit. */
        TOO_MANY_BYTES,
        /** Width x height above the limit (checked from the header, before decoding). */
        TOO_MANY_PIXELS,
        /** Not PNG or JPEG, or a MIME type other than image/png and image/jpeg. */
        UNSUPPORTED_TYPE,
        /** The bytes claim a supported format but do not decode. */
        UNDECODABLE
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
