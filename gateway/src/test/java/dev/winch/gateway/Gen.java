package dev.winch.gateway;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A generator of test inputs: a function of a seeded {@link Random}, so a run is replayed exactly from its seed.
 * Just what the hostile-input tests draw from (choices, ranges, strings, bytes, unions); no shrinking — inputs
 * are small and a failure prints the input itself.
 */
@FunctionalInterface
interface Gen<T> {

    T next(Random random);

    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return random -> f.apply(next(random));
    }

    default <R> Gen<R> flatMap(Function<? super T, Gen<R>> f) {
        return random -> f.apply(next(random)).next(random);
    }

    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return of(List.of(values));
    }

    static <T> Gen<T> of(List<T> values) {
        return random -> values.get(random.nextInt(values.size()));
    }

    /** A whole number from {@code min} to {@code max}, both included. */
    static Gen<Integer> between(int min, int max) {
        return random -> min + random.nextInt(max - min + 1);
    }

    /** One of the generators, each as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... generators) {
        return random -> generators[random.nextInt(generators.length)].next(random);
    }

    /** Any UTF-16 code units, up to {@code maxLength} of them (lone surrogates included). */
    static Gen<String> strings(int maxLength) {
        return random -> {
            char[] chars = new char[random.nextInt(maxLength + 1)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) random.nextInt(Character.MAX_VALUE + 1);
            }
            return new String(chars);
        };
    }

    /** Any bytes, up to {@code maxSize} of them. */
    static Gen<byte[]> bytes(int maxSize) {
        return random -> {
            byte[] bytes = new byte[random.nextInt(maxSize + 1)];
            random.nextBytes(bytes);
            return bytes;
        };
    }
}
