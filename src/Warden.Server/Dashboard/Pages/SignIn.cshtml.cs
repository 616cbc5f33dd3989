using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Warden.Server.Access;

namespace Warden.Server.Dashboard.Pages;

/// <summary>Sign-in by API key: the key is verified, then kept in an HTTP-only, SameSite=Strict session cookie.</summary>
public sealed class SignInModel(ApiKeyService keys) : PageModel
{
    /// <summary>The key typed in.</summary>
    [BindProperty]
    public string? Key { get; set; }

    /// <summary>Where to go after signing in (local paths only).</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why sign-in failed.</summary>
    public string? Error { get; private set; }

    /// <summary>Verifies the key and sets the cookie.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var key = Key?.Trim() ?? "";
        var verification = await keys.VerifyAsync(key, cancellationToken);
        if (verification.Principal is null)
        {
            Error = verification.Failure;
            return Page();
        }

        Response.Cookies.Append(ApiKeyClaims.Cookie, key, new CookieOptions
        {
            HttpOnly = true,
            Secure = Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
        });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    /// <summary>Removes the cookie.</summary>
    public IActionResult OnPostSignOut()
    {
        Response.Cookies.Delete(ApiKeyClaims.Cookie, new CookieOptions { Path = "/" });
        return LocalRedirect("/signin");
    }
}
