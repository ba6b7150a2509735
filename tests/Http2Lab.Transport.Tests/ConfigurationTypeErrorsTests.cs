using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// Finding the value of the wrong type under a configuration section, where the binder would throw (or, inside a
/// dictionary, silently drop the entry), and saying in plain words what was expected.
/// </summary>
public sealed class ConfigurationTypeErrorsTests
{
    [Theory]
    [InlineData("S:Count", "x", "S:Count", "'x' is not a whole number from -2147483648 to 2147483647")]
    [InlineData("S:Small", "256", "S:Small", "'256' is not a whole number from 0 to 255")]
    [InlineData("S:Ratio", "half", "S:Ratio", "'half' is not a number (with '.' for decimals)")]
    [InlineData("S:Mode", "Sideways", "S:Mode", "'Sideways' is not one of Up, Down")]
    [InlineData("S:Items:b:Wait", "later", "S:Items:b:Wait", "'later' is not a duration (hh:mm:ss, e.g. 00:00:10 for ten seconds; d.hh:mm:ss for days)")]
    [InlineData("S:List:1:On", "yes", "S:List:1:On", "'yes' is not true or false")]
    [InlineData("S:Derived", "x", "S:Derived", "'x' is not a whole number")] // the binder converts even what it cannot set
    public void The_wrong_value_is_found_with_its_full_key(string key, string value, string expectedKey, string message)
    {
        var section = Section((key, value), ("S:Items:a:Wait", "00:00:01"), ("S:List:0:On", "true"));

        var error = Assert.Throws<Http2LabConfigurationException>(() => ConfigurationTypeErrors.Bind(section, new Sample()));

        Assert.Equal(expectedKey, error.Key);
        Assert.StartsWith($"{expectedKey}: {message}", error.Message);
    }

    [Fact]
    public void Good_values_and_empty_optional_values_bind()
    {
        var section = Section(("S:Count", " 12 "), ("S:Optional", ""), ("S:Items:a:Wait", "1.00:00:00"));
        var sample = new Sample();

        ConfigurationTypeErrors.Bind(section, sample);

        Assert.Equal(12, sample.Count);
        Assert.Null(sample.Optional);
        Assert.Equal(TimeSpan.FromDays(1), sample.Items["a"].Wait);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build()
            .GetSection("S");

    private enum Direction
    {
        Up,
        Down,
    }

    private sealed class Sample
    {
        public int Count { get; set; }

        public byte Small { get; set; }

        public double Ratio { get; set; }

        public Direction Mode { get; set; }

        public int? Optional { get; set; } = 5;

        public int Derived => Count * 2;

        public Dictionary<string, Item> Items { get; set; } = [];

        public List<Flag> List { get; set; } = [];
    }

    private sealed class Item
    {
        public TimeSpan Wait { get; set; }
    }

    private sealed class Flag
    {
        public bool On { get; set; }
    }
}
