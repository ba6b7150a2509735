using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Binds configuration onto options so that a value of the wrong type (<c>MaxConcurrentStreams=abc</c>) ends as an
/// <see cref="Http2LabConfigurationException"/> naming the full key and what was expected, in place of the binder's
/// <see cref="InvalidOperationException"/> wrapping a <see cref="FormatException"/> (about the .NET type, reported by the
/// host with a stack trace) — or, inside a dictionary, no error at all.
/// </summary>
internal static class ConfigurationTypeErrors
{
    // Options are shallow; the bound stops runaway recursion through self-referencing types.
    private const int MaxDepth = 8;

    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>.</summary>
    /// <exception cref="Http2LabConfigurationException">A value cannot be converted to its property's type.</exception>
    public static void Bind(IConfiguration section, object target)
    {
        // Checked before binding, not only when it throws: inside a dictionary (Endpoints:<name>) the binder swallows
        // the error and drops the whole entry, so a mistyped NoDelay would silently remove an endpoint.
        if (FindWrongType(section, target.GetType()) is { } wrong)
        {
            throw new Http2LabConfigurationException(wrong.Key, Describe(wrong.Value, wrong.Type));
        }

        try
        {
            section.Bind(target);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is not null)
        {
            // A conversion the search above does not model: still one line, under the section, instead of a stack trace.
            throw new Http2LabConfigurationException(section is IConfigurationSection { Path: var path } ? path : "", ex.Message, ex);
        }
    }

    /// <summary>
    /// The first value under <paramref name="section"/> that the binder cannot convert to its property of
    /// <paramref name="type"/> (the binder's own rule: the type's converter, reading invariant culture), or null.
    /// </summary>
    public static (string Key, string Value, Type Type)? FindWrongType(IConfiguration section, Type type) =>
        FindInProperties(section, type, 0);

    /// <summary>Says, in plain words, what <paramref name="value"/> should have been, e.g. <c>'abc' is not a whole number from 0 to 255</c>.</summary>
    public static string Describe(string value, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var expected = Type.GetTypeCode(type) switch
        {
            _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
            TypeCode.Boolean => "true or false",
            TypeCode.Byte => WholeNumber(byte.MinValue, byte.MaxValue),
            TypeCode.SByte => WholeNumber(sbyte.MinValue, sbyte.MaxValue),
            TypeCode.Int16 => WholeNumber(short.MinValue, short.MaxValue),
            TypeCode.UInt16 => WholeNumber(ushort.MinValue, ushort.MaxValue),
            TypeCode.Int32 => WholeNumber(int.MinValue, int.MaxValue),
            TypeCode.UInt32 => WholeNumber(uint.MinValue, uint.MaxValue),
            TypeCode.Int64 => WholeNumber(long.MinValue, long.MaxValue),
            TypeCode.UInt64 => WholeNumber(ulong.MinValue, ulong.MaxValue),
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number (with '.' for decimals)",
            _ when type == typeof(TimeSpan) => "a duration (hh:mm:ss, e.g. 00:00:10 for ten seconds; d.hh:mm:ss for days)",
            _ => $"a valid {type.Name}",
        };
        return $"'{value}' is not {expected}";
    }

    private static string WholeNumber<T>(T min, T max)
        where T : IFormattable =>
        $"a whole number from {min.ToString(null, CultureInfo.InvariantCulture)} to {max.ToString(null, CultureInfo.InvariantCulture)}";

    private static (string, string, Type)? FindInProperties(IConfiguration section, Type type, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is null || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            if (FindInValue(section.GetSection(key), property.PropertyType, depth) is { } wrong)
            {
                return wrong;
            }
        }

        return null;
    }

    private static (string, string, Type)? FindInValue(IConfigurationSection section, Type type, int depth)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || target == typeof(object))
        {
            return null;
        }

        if (section.Value is { } value)
        {
            // As the binder does: an empty value sets a nullable property to null.
            if (target != type && value.Length == 0)
            {
                return null;
            }

            var converter = TypeDescriptor.GetConverter(target);
            if (converter.CanConvertFrom(typeof(string)))
            {
                return Converts(converter, value) ? null : (section.Path, value, target);
            }
        }

        if (target.IsPrimitive || target.IsEnum)
        {
            return null;
        }

        if (ElementType(target) is { } element)
        {
            foreach (var child in section.GetChildren())
            {
                if (FindInValue(child, element, depth + 1) is { } wrong)
                {
                    return wrong;
                }
            }

            return null;
        }

        return target.IsClass ? FindInProperties(section, target, depth + 1) : null;
    }

    private static bool Converts(TypeConverter converter, string value)
    {
        try
        {
            converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The value type of a dictionary, or the element type of an array or list; null for anything else.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            {
                return candidate.GetGenericArguments()[1];
            }
        }

        foreach (var candidate in (Type[])[type, .. type.GetInterfaces()])
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
