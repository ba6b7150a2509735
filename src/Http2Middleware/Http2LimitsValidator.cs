using System.ComponentModel.DataAnnotations;
using Http2Lab.Http2.Session;
using Microsoft.Extensions.Options;

namespace Http2Lab.Http2;

/// <summary>Checks <see cref="Http2Limits"/> at start-up; each failure names its configuration key.</summary>
internal sealed class Http2LimitsValidator(string sectionPath) : IValidateOptions<Http2Limits>
{
    public ValidateOptionsResult Validate(string? name, Http2Limits options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(results.Select(r =>
        {
            string member = r.MemberNames.FirstOrDefault() ?? "";
            RangeAttribute? range = typeof(Http2Limits).GetProperty(member)?.GetCustomAttributes(typeof(RangeAttribute), false)
                .OfType<RangeAttribute>().FirstOrDefault();
            object? value = typeof(Http2Limits).GetProperty(member)?.GetValue(options);
            return range is null
                ? $"{sectionPath}:{member}: {r.ErrorMessage}"
                : $"{sectionPath}:{member}: {value} is outside {range.Minimum}..{range.Maximum}";
        }));
    }
}
