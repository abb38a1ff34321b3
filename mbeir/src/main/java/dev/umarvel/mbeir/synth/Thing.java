package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.synth.Attributes.Colour;
import dev.umarvel.mbeir.synth.Attributes.Position;
import dev.umarvel.mbeir.synth.Attributes.Shape;
import dev.umarvel.mbeir.synth.Attributes.Size;
import dev.umarvel.mbeir.synth.Attributes.Texture;
import java.util.Random;

/** One object of a scene. */
public record Thing(Shape shape, Colour colour, Size size, Texture texture, Position position) {

    static Thing random(Random random, Position position) {
        return new Thing(Attributes.pick(Shape.class, random), Attributes.pick(Colour.class, random),
                Attributes.pick(Size.class, random), Attributes.pick(Texture.class, random), position);
    }

    /** The same thing with exactly one visible attribute changed: a natural hard negative. */
    Thing mutate(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> withShape(other(Shape.class, shape, random));
            case 1 -> withColour(other(Colour.class, colour, random));
            case 2 -> withSize(size == Size.SMALL ? Size.LARGE : Size.SMALL);
            default -> withTexture(other(Texture.class, texture, random));
        };
    }

    Thing withShape(Shape s) {
        return new Thing(s, colour, size, texture, position);
    }

    Thing withColour(Colour c) {
        return new Thing(shape, c, size, texture, position);
    }

    Thing withSize(Size s) {
        return new Thing(shape, colour, s, texture, position);
    }

    Thing withTexture(Texture t) {
        return new Thing(shape, colour, size, t, position);
    }

    Thing at(Position p) {
        return new Thing(shape, colour, size, texture, p);
    }

    /** A key naming every attribute, for de-duplication. */
    String key() {
        return shape + "/" + colour + "/" + size + "/" + texture + "/" + position;
    }

    static <E extends Enum<E>> E other(Class<E> type, E current, Random random) {
        E[] values = type.getEnumConstants();
        E next = values[random.nextInt(values.length - 1)];
        return next.ordinal() >= current.ordinal() ? values[next.ordinal() + 1] : next;
    }
}
