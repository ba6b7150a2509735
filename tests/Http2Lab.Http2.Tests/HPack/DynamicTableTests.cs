using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

public class DynamicTableTests
{
    private static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void Entries_are_addressed_newest_first_and_sized_with_32_octets_overhead()
    {
        var table = new DynamicTable(4096);
        table.Insert(Bytes("a"), Bytes("bc"));
        table.Insert(Bytes("de"), Bytes(""));
        TableAssert.Equal([("de", ""), ("a", "bc")], 35 + 34, table);
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Insertion_evicts_oldest_entries_until_the_new_one_fits()
    {
        var table = new DynamicTable(100);
        table.Insert(Bytes("a"), Bytes("0123456789")); // 43
        table.Insert(Bytes("b"), Bytes("0123456789")); // 43 -> 86
        table.Insert(Bytes("c"), Bytes("01234"));      // 38 -> evicts a
        TableAssert.Equal([("c", "01234"), ("b", "0123456789")], 81, table);
    }

    [Fact]
    public void Entry_exactly_the_maximum_size_fits_alone()
    {
        var table = new DynamicTable(64);
        table.Insert(Bytes("x"), Bytes("y"));
        table.Insert(Bytes("0123456789abcdef"), Bytes("0123456789abcdef")); // 32 + 32 = 64
        TableAssert.Equal([("0123456789abcdef", "0123456789abcdef")], 64, table);
    }

    [Fact]
    public void Entry_larger_than_the_maximum_size_empties_the_table()
    {
        var table = new DynamicTable(64);
        table.Insert(Bytes("x"), Bytes("y"));
        table.Insert(Bytes("0123456789abcdef"), Bytes("0123456789abcdefg")); // 65
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.Size);
    }

    [Fact]
    public void Lowering_the_maximum_size_evicts()
    {
        var table = new DynamicTable(4096);
        table.Insert(Bytes("a"), Bytes("1"));
        table.Insert(Bytes("b"), Bytes("2"));
        table.Insert(Bytes("c"), Bytes("3"));
        table.SetMaxSize(70);
        TableAssert.Equal([("c", "3"), ("b", "2")], 68, table);
        table.SetMaxSize(0);
        Assert.Equal(0, table.Count);
        table.Insert(Bytes("a"), Bytes("1"));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Name_may_come_from_the_entry_being_evicted()
    {
        var table = new DynamicTable(80);
        table.Insert(Bytes("shared-name"), Bytes("first-value")); // 54
        table.Insert(table.GetName(0), Bytes("second-value"));    // 55: evicts the entry its name comes from
        TableAssert.Equal([("shared-name", "second-value")], 55, table);

        for (int i = 0; i < 50; i++)
        {
            table.Insert(table.GetName(0), Bytes(new string((char)('a' + (i % 26)), 10 + (i % 7))));
            Assert.Equal("shared-name", Encoding.Latin1.GetString(table.GetName(0)));
        }
    }

    [Fact]
    public void Find_reports_full_and_name_matches_by_smallest_index()
    {
        var table = new DynamicTable(4096);
        table.Insert(Bytes("k"), Bytes("1"));
        table.Insert(Bytes("k"), Bytes("2"));
        table.Insert(Bytes("other"), Bytes("1"));

        Assert.Equal(2, table.Find(Bytes("k"), Bytes("1"), out int nameIndex));
        Assert.Equal(1, nameIndex);
        Assert.Equal(-1, table.Find(Bytes("k"), Bytes("3"), out nameIndex));
        Assert.Equal(1, nameIndex);
        Assert.Equal(-1, table.Find(Bytes("none"), Bytes("1"), out nameIndex));
        Assert.Equal(-1, nameIndex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(4096)]
    [InlineData(65536)]
    public void Random_operations_match_a_reference_model(int maxSize)
    {
        var random = new Random(maxSize + 1);
        var table = new DynamicTable(maxSize);
        var model = new List<(string Name, string Value)>(); // newest first
        int modelMax = maxSize;
        for (int step = 0; step < 10_000; step++)
        {
            int action = random.Next(100);
            if (action < 3)
            {
                modelMax = random.Next(0, maxSize + 1);
                table.SetMaxSize(modelMax);
                Trim(model, modelMax);
            }
            else
            {
                int longest = random.Next(4) == 0 ? Math.Clamp(maxSize / 2, 1, 3000) : 24;
                string name = RandomText(random, random.Next(0, longest));
                string value = RandomText(random, random.Next(0, longest));
                if (action < 20 && model.Count > 0)
                {
                    name = model[random.Next(model.Count)].Name; // name taken from the table itself
                    int index = model.FindIndex(e => e.Name == name);
                    table.Insert(table.GetName(index), Bytes(value));
                }
                else
                {
                    table.Insert(Bytes(name), Bytes(value));
                }

                if (32 + name.Length + value.Length > modelMax)
                {
                    model.Clear();
                }
                else
                {
                    model.Insert(0, (name, value));
                    Trim(model, modelMax);
                }
            }

            Assert.Equal(model.Count, table.Count);
            Assert.Equal(model.Sum(e => 32 + e.Name.Length + e.Value.Length), table.Size);
            if (step % 97 == 0 || model.Count < 4)
            {
                Assert.Equal(model.ToArray(), TableAssert.Entries(table));
            }
            else
            {
                Assert.Equal(model[0], TableAssert.Entries(table)[0]);
            }
        }
    }

    private static void Trim(List<(string Name, string Value)> model, int maxSize)
    {
        while (model.Sum(e => 32 + e.Name.Length + e.Value.Length) > maxSize)
        {
            model.RemoveAt(model.Count - 1);
        }
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }

        return new string(chars);
    }
}
