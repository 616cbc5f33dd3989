using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Warden.Server.Security;

/// <summary>Encrypts ASP.NET Core Data Protection keys (they protect the dashboard's sign-in cookies and anti-forgery
/// tokens) at rest like every other Warden secret: each key's XML is sealed (AES-256-GCM) with a fresh data key, and the
/// data key is wrapped by the current key-encryption key (<see cref="IKeyEncryptionKeys"/>). A copy of the data folder
/// alone cannot forge a dashboard session. Keys written before this existed (plain XML) are still read.</summary>
public sealed class KekXmlEncryptor(IKeyEncryptionKeys keks) : IXmlEncryptor
{
    internal const string Element = "wardenSealedKey";
    internal const string Context = "warden-dataprotection-key";

    /// <inheritdoc />
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var dataKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        try
        {
            var plaintext = System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
            var sealedXml = Envelope.Seal(dataKey, plaintext, Context);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
            var wrapped = keks.Wrap(dataKey, Context);
            var element = new XElement(Element,
                new XAttribute("kekVersion", wrapped.KekVersion),
                new XElement("wrappedKey", wrapped.Blob),
                new XElement("payload", Convert.ToBase64String(sealedXml)));
            return new EncryptedXmlInfo(element, typeof(KekXmlDecryptor));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}

/// <summary>Opens what <see cref="KekXmlEncryptor"/> sealed (Data Protection creates it with the service provider).</summary>
public sealed class KekXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <inheritdoc />
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var keks = services.GetRequiredService<IKeyEncryptionKeys>();
        var version = (int?)encryptedElement.Attribute("kekVersion") ?? throw new FormatException("a sealed data-protection key without its KEK version");
        var wrapped = (string?)encryptedElement.Element("wrappedKey") ?? throw new FormatException("a sealed data-protection key without its wrapped key");
        var payload = (string?)encryptedElement.Element("payload") ?? throw new FormatException("a sealed data-protection key without its payload");
        var dataKey = keks.Unwrap(new WrappedKey(version, wrapped), KekXmlEncryptor.Context);
        try
        {
            var plaintext = Envelope.Open(dataKey, Convert.FromBase64String(payload), KekXmlEncryptor.Context);
            return XElement.Parse(System.Text.Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
