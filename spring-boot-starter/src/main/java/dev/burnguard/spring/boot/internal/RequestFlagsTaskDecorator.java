package dev.burnguard.spring.boot.internal;

import org.springframework.core.task.TaskDecorator;

/**
 * Internal, not for public use. Carries the submitting request's {@link RequestFlags} to the thread
 * that runs a task, so that guarded flags evaluated in {@code @Async} methods and other tasks of the
 * application's {@code TaskExecutor} count for the request. Spring Boot applies a lone TaskDecorator
 * bean to the executor it configures.
 */
final class RequestFlagsTaskDecorator implements TaskDecorator {
  @Override
  public Runnable decorate(Runnable runnable) {
    RequestFlags request = RequestFlags.handOff();
    if (request == null) {
      return runnable;
    }
    return () -> {
      RequestFlags.Binding binding = RequestFlags.binding();
      RequestFlags previous = binding.flags;
      binding.flags = request;
      try {
        runnable.run();
      } finally {
        binding.flags = previous;
      }
    };
  }
}
