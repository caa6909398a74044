package dev.burnguard.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small checkout service whose {@code /checkout} endpoint serves a new implementation behind the
 * guarded flag {@code new-checkout}. Burnguard comes from the starter and {@code application.yml}
 * alone: no code records outcomes; the starter's request filter does.
 */
@SpringBootApplication
public class CheckoutApplication {
  public static void main(String[] args) {
    SpringApplication.run(CheckoutApplication.class, args);
  }
}
