namespace Warden.Contracts;

/// <summary>Result of a key-encryption-key rotation.</summary>
/// <param name="KekVersion">The new current KEK version.</param>
/// <param name="DataKeysRewrapped">How many data keys were rewrapped with it.</param>
public sealed record KekRotation(int KekVersion, int DataKeysRewrapped);

/// <summary>Data keys by purpose and KEK version.</summary>
public sealed record KeyStatusReport(int CurrentKekVersion, IReadOnlyList<DataKeyGroup> DataKeys);

/// <summary>One group of data keys.</summary>
public sealed record DataKeyGroup(string Purpose, long KekVersion, long Live, long Destroyed);

/// <summary>Result of erasing a data subject.</summary>
/// <param name="Subject">A digest of the subject id (the id itself is not kept).</param>
/// <param name="KeyDestroyed">False when Warden held no key for the subject.</param>
public sealed record SubjectErasure(string Subject, bool KeyDestroyed);
