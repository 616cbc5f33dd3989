namespace Warden.Inference;

/// <summary>An artifact that is not a loadable model, or a declared signature that contradicts it; the message says why.</summary>
public sealed class ModelArtifactException(string message, Exception? inner = null) : Exception(message, inner);
