using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Descope.Mcp.AspNetCore.Testing.Pages;

/// <summary>
/// The form every decision page posts: the one-time ID of the pending request, an anti-forgery token bound to the
/// browser's cookie, and the button pressed (<c>approve</c> or <c>deny</c>). Reading it back checks all three before
/// the page's own fields are looked at.
/// </summary>
internal static partial class PageForm
{
    public const string PendingField = "pending";
    public const string DecisionField = "decision";
    public const string Approve = "approve";
    public const string Deny = "deny";

    /// <summary>The hidden fields of a page's form; issues the anti-forgery cookie with them.</summary>
    public static Html HiddenFields(HttpContext context, string pendingId)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return Html.Of($"""
            <input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">
            <input type="hidden" name="{PendingField}" value="{pendingId}">
            """);
    }

    /// <summary>The hidden fields of a page <see cref="HiddenFields"/> wrote, for a program that plays the person.</summary>
    public static Dictionary<string, string> ReadHiddenFields(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value), StringComparer.Ordinal);

    /// <summary>
    /// Reads a posted decision: a form from the page this browser was shown (anti-forgery), for a request still pending.
    /// Anything else is answered with a page that says what to do, and the request stays as it was.
    /// </summary>
    public static async Task<(PostedForm<T>? Posted, IResult? Problem)> ReadAsync<T>(HttpContext context, PendingRequests<T> pending)
        where T : class
    {
        var unreadable = (default(PostedForm<T>), (IResult?)HtmlPage.Error("This form can't be read", "Send the form from the page the authority showed you."));
        if (!context.Request.HasFormContentType)
        {
            return unreadable;
        }

        IFormCollection form;
        try
        {
            if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                return (null, HtmlPage.Error(
                    "This form can't be accepted",
                    "It was not sent from the page this browser was shown, or the browser's cookie for it is gone. Go back to the application and start again."));
            }

            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException || e.InnerException is InvalidDataException)
        {
            // Over the form limits (field count, value length), seen directly or through antiforgery: not a form a page of
            // ours sends.
            return unreadable;
        }

        var id = form[PendingField].Count == 1 ? form[PendingField].ToString() : null;
        if (pending.Find(id) is not { } request)
        {
            return (null, Expired());
        }

        bool? approved = form[DecisionField].ToString() switch
        {
            Approve => true,
            Deny => false,
            _ => null,
        };
        return approved is null
            ? (null, HtmlPage.Error("Choose an answer", "Press one of the page's two buttons to answer the request."))
            : (new PostedForm<T>(form, id!, request, approved.Value), null);
    }

    /// <summary>What a pending ID that is unknown, used or too old gets.</summary>
    public static HtmlPage Expired() => HtmlPage.Error(
        "This request has expired",
        "The page was already answered or has been open too long. Go back to the application and start again.");

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenInput();
}
