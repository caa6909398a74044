package dev.burnguard.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Where the generators of flag files ({@link FlagFiles}) and contexts ({@link Contexts}) take their
 * choices from: a seeded {@link Random} for the fixed-budget runs of the default build (the same seed
 * gives the same inputs, so a failure's printed seed reproduces it), or Jazzer's
 * {@link FuzzedDataProvider} for coverage-guided fuzzing, where the fuzzer steers every choice.
 */
abstract class Entropy {
  /** A whole number in {@code [min, max]}. */
  abstract int between(int min, int max);

  /** Any long, edge values included. */
  abstract long anyLong();

  /** Any double, NaN and infinities included. */
  abstract double anyDouble();

  /** A char of any kind: ASCII mostly, also controls, non-ASCII letters, emoji halves and lone surrogates. */
  abstract char anyChar();

  /** Choices from a seeded random generator. */
  static Entropy seeded(long seed) {
    Random random = new Random(seed);
    return new Entropy() {
      @Override
      int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
      }

      @Override
      long anyLong() {
        switch (random.nextInt(4)) {
          case 0: return random.nextInt(201) - 100;
          case 1: return random.nextInt();
          default: return random.nextLong();
        }
      }

      @Override
      double anyDouble() {
        switch (random.nextInt(4)) {
          case 0: return random.nextGaussian() * 100;
          case 1: return Double.longBitsToDouble(random.nextLong());
          case 2: return random.nextInt(21) - 10;
          default: return random.nextDouble();
        }
      }

      @Override
      char anyChar() {
        switch (random.nextInt(8)) {
          case 0: return (char) random.nextInt(0x20);
          case 1: return (char) (0x80 + random.nextInt(0x780));
          case 2: return (char) (0xD800 + random.nextInt(0x800)); // a surrogate, paired or not
          case 3: return (char) random.nextInt(0x10000);
          default: return (char) (0x20 + random.nextInt(0x5F));
        }
      }
    };
  }

  /** Choices read from a fuzzer's input; once the input is used up every choice is the smallest. */
  static Entropy fuzzed(FuzzedDataProvider data) {
    return new Entropy() {
      @Override
      int between(int min, int max) {
        return data.consumeInt(min, max);
      }

      @Override
      long anyLong() {
        return data.consumeLong();
      }

      @Override
      double anyDouble() {
        return data.consumeDouble();
      }

      @Override
      char anyChar() {
        return data.consumeChar();
      }
    };
  }

  boolean chance(int inN) {
    return between(0, inN - 1) == 0;
  }

  boolean bool() {
    return between(0, 1) == 1;
  }

  <T> T pick(List<T> options) {
    return options.get(between(0, options.size() - 1));
  }

  @SafeVarargs
  final <T> T pick(T... options) {
    return options[between(0, options.length - 1)];
  }

  /** One of the suppliers, by weight: {@code weighted(3, a, 1, b)} picks a three times as often as b. */
  @SuppressWarnings("unchecked")
  final <T> T weighted(Object... weightsAndSuppliers) {
    int total = 0;
    for (int i = 0; i < weightsAndSuppliers.length; i += 2) {
      total += (Integer) weightsAndSuppliers[i];
    }
    int at = between(0, total - 1);
    for (int i = 0; i < weightsAndSuppliers.length; i += 2) {
      at -= (Integer) weightsAndSuppliers[i];
      if (at < 0) {
        return ((Supplier<T>) weightsAndSuppliers[i + 1]).get();
      }
    }
    throw new AssertionError("unreachable");
  }

  /** The value of {@code supplier}, or null one time in {@code 1 / nullChance}. */
  <T> T orNull(double nullChance, Supplier<T> supplier) {
    return between(0, 999) < nullChance * 1000 ? null : supplier.get();
  }

  /** A string of up to {@code maxLength} chars of any kind. */
  String string(int maxLength) {
    return string(0, maxLength);
  }

  String string(int minLength, int maxLength) {
    int length = between(minLength, maxLength);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(anyChar());
    }
    return s.toString();
  }

  <T> List<T> list(int minSize, int maxSize, Supplier<T> element) {
    int size = between(minSize, maxSize);
    List<T> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(element.get());
    }
    return list;
  }

  /** A map of up to {@code maxSize} entries (fewer when keys repeat). */
  <V> Map<String, V> map(int minSize, int maxSize, Supplier<String> key, Supplier<V> value) {
    int size = between(minSize, maxSize);
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < size; i++) {
      map.put(key.get(), value.get());
    }
    return map;
  }
}
