package dev.umarvel.recipe;

import java.util.List;

/** A job spec that cannot run; each problem starts with the field at fault (services: INVALID_ARGUMENT). */
public final class InvalidSpecException extends IllegalArgumentException {

    private final List<String> problems;

    public InvalidSpecException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidSpecException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
