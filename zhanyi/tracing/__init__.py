"""The tracing task force: epidemiological investigation (流调)."""
