/// Placeholder so the target builds until the client lands.
public enum SupersetClientModule {}
