package dev.winch.kubernetes;

import java.util.function.Function;

/**
 * What became of an {@link OptimisticUpdate}: the object written, nothing to write, or why the write did not
 * happen. Carries no fabric8 type of its own, so that the classes that decide can branch on it without the client.
 *
 * @param <T> the object as written (a worker maps it to its own view with {@link #map})
 * @param <D> the decision the caller's plan returned, the last one when the object was read again
 */
public sealed interface UpdateResult<T, D> {

    /** What the last plan decided: the reason for {@link Unchanged}, what was written for {@link Written}. */
    D decision();

    /** Writes tried: 0 when the first plan found nothing to write. */
    int attempts();

    /** The same outcome with the written object turned into {@code R}. */
    <R> UpdateResult<R, D> map(Function<T, R> mapper);

    /** Stored; {@code object} is what the API server returned (its new resourceVersion, generation). */
    record Written<T, D>(T object, D decision, int attempts) implements UpdateResult<T, D> {
        @Override
        public <R> UpdateResult<R, D> map(Function<T, R> mapper) {
            return new Written<>(mapper.apply(object), decision, attempts);
        }
    }

    /** The plan, on the object as last read, found nothing to write (already done, nothing to change). */
    record Unchanged<T, D>(D decision, int attempts) implements UpdateResult<T, D> {
        @Override
        public <R> UpdateResult<R, D> map(Function<T, R> mapper) {
            return new Unchanged<>(decision, attempts);
        }
    }

    /**
     * Every one of {@code attempts} writes found the object changed since it was read (409): someone keeps writing
     * it; the caller leaves it to a later retry. {@code message} is the API server's last answer.
     */
    record Conflict<T, D>(D decision, int attempts, String message) implements UpdateResult<T, D> {
        @Override
        public <R> UpdateResult<R, D> map(Function<T, R> mapper) {
            return new Conflict<>(decision, attempts, message);
        }
    }

    /** The object was deleted between a read and the write (404 on the write, or nothing found on a read again). */
    record Gone<T, D>(D decision, int attempts) implements UpdateResult<T, D> {
        @Override
        public <R> UpdateResult<R, D> map(Function<T, R> mapper) {
            return new Gone<>(decision, attempts);
        }
    }

    /**
     * The API server refused the object as written (400, 422): the same write cannot succeed later.
     * {@code message} is what it said (its Status message when it sent one).
     */
    record Rejected<T, D>(D decision, int attempts, int status, String message) implements UpdateResult<T, D> {
        @Override
        public <R> UpdateResult<R, D> map(Function<T, R> mapper) {
            return new Rejected<>(decision, attempts, status, message);
        }
    }
}
