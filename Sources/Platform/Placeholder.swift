public enum PlatformPlaceholder {}
