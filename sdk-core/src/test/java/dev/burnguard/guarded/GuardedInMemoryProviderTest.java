package dev.burnguard.guarded;

import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.providers.memory.Flag;
import dev.openfeature.sdk.providers.memory.InMemoryProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The guard over OpenFeature's own {@link InMemoryProvider}, which throws its errors as exceptions. */
class GuardedInMemoryProviderTest extends GuardedDelegateContract {
  static Map<String, Flag<?>> flags() {
    Map<String, Flag<?>> flags = new LinkedHashMap<>();
    flags.put(GUARDED, Flag.<Boolean>builder().variant(CANDIDATE, true).variant(CONTROL, false)
        .defaultVariant(CANDIDATE).build());
    flags.put("plain-bool", Flag.<Boolean>builder().variant("on", true).variant("off", false).defaultVariant("off")
        .contextEvaluator((flag, ctx) -> ctx.getValue("tier") != null && ctx.getValue("tier").asInteger() % 2 == 0)
        .build());
    flags.put("plain-string", Flag.<String>builder().variant("red", "red").variant("blue", "blue").defaultVariant("blue")
        .flagMetadata(ImmutableMetadata.builder().addString("owner", "team-a").addInteger("version", 3).build())
        .build());
    flags.put("plain-int", Flag.<Integer>builder().variant("one", 1).variant("two", 2).defaultVariant("two").build());
    flags.put("plain-double", Flag.<Double>builder().variant("low", 0.25).variant("high", 0.75).defaultVariant("low")
        .build());
    flags.put("plain-object", Flag.<Value>builder()
        .variant("a", new Value(new ImmutableStructure(Map.of("color", new Value("red"), "size", new Value(3)))))
        .defaultVariant("a").build());
    flags.put("disabled-flag", Flag.<Boolean>builder().variant("on", true).defaultVariant("on").disabled(true).build());
    return flags;
  }

  @Override
  FeatureProvider newDelegate() {
    return new InMemoryProvider(flags());
  }

  @Override
  boolean reportsVariants() {
    return true;
  }

  @Override
  List<Probe> unguardedProbes() {
    return List.of(new Probe("plain-bool", Boolean.class), new Probe("plain-string", String.class),
        new Probe("plain-int", Integer.class), new Probe("plain-double", Double.class),
        new Probe("plain-object", Value.class), new Probe("disabled-flag", Boolean.class),
        new Probe("plain-string", Integer.class), new Probe("missing", Boolean.class));
  }
}
