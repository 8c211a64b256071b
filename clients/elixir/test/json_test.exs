defmodule Finex.JSONTest do
  use ExUnit.Case, async: true
  alias Finex.JSON

  test "decodes the value types the way Jason does" do
    assert JSON.decode(~s({"a":[1,-2,3.5,-0.25,1e3,2E-2,0],"b":true,"c":false,"d":null})) ==
             {:ok,
              %{
                "a" => [1, -2, 3.5, -0.25, 1000.0, 0.02, 0],
                "b" => true,
                "c" => false,
                "d" => nil
              }}

    assert JSON.decode(" \n\t[ ]\r\n") == {:ok, []}
    assert JSON.decode("{}") == {:ok, %{}}
    assert JSON.decode("12345678901234567890") == {:ok, 12_345_678_901_234_567_890}
    assert JSON.decode(~s("x")) == {:ok, "x"}

    assert JSON.decode("[1E+2,1.5e+3,-0,-0.0,2e-1,0.1]") ==
             {:ok, [100.0, 1500.0, 0, -0.0, 0.2, 0.1]}

    assert JSON.decode(~s("")) == {:ok, ""}
  end

  test "decodes string escapes, surrogate pairs and raw UTF-8" do
    assert JSON.decode(~S("a\"b\\c\/d\b\f\n\r\t")) == {:ok, "a\"b\\c/d\b\f\n\r\t"}
    assert JSON.decode(~S("\u00e9\u20AC")) == {:ok, "é€"}
    assert JSON.decode(~S("\ud83d\ude00")) == {:ok, "😀"}
    assert JSON.decode(~s("Société Générale")) == {:ok, "Société Générale"}
  end

  test "a repeated key keeps its last value" do
    assert JSON.decode(~s({"k":1,"k":2})) == {:ok, %{"k" => 2}}
  end

  test "rejects malformed input with a reason and byte offset" do
    assert JSON.decode("") == {:error, {:unexpected_end, 0}}
    assert JSON.decode("[1,]") == {:error, {:unexpected_byte, 3}}
    assert JSON.decode(~s({"a":1,})) == {:error, {:unexpected_byte, 7}}
    assert JSON.decode(~s({"a" 1})) == {:error, {:unexpected_byte, 5}}
    assert JSON.decode("[1] x") == {:error, {:trailing_data, 4}}
    assert JSON.decode("01") == {:error, {:trailing_data, 1}}
    assert JSON.decode("1.") == {:error, {:invalid_number, 0}}
    assert JSON.decode("[1e]") == {:error, {:invalid_number, 1}}
    assert JSON.decode("[1.e5]") == {:error, {:invalid_number, 1}}
    assert JSON.decode("-01") == {:error, {:trailing_data, 2}}
    assert JSON.decode("+1") == {:error, {:unexpected_byte, 0}}
    assert JSON.decode("-") == {:error, {:invalid_number, 0}}
    assert JSON.decode("1e400") == {:error, {:invalid_number, 0}}
    assert JSON.decode("tru") == {:error, {:unexpected_byte, 0}}
    assert JSON.decode(~s("a\x01b")) == {:error, {:control_character, 2}}
    assert {:error, {:invalid_escape, _}} = JSON.decode(~S("\x"))
    assert {:error, {:invalid_escape, _}} = JSON.decode(~S("\ud83d"))
    assert {:error, {:invalid_escape, _}} = JSON.decode(~S("\ude00"))
    assert {:error, {:invalid_utf8, _}} = JSON.decode(<<?", 0xFF, ?">>)
    assert JSON.decode(<<?", ?a, 0xC3, 0x28, ?">>) == {:error, {:invalid_utf8, 2}}
    # overlong "/" and an encoded surrogate are not UTF-8
    assert {:error, {:invalid_utf8, _}} = JSON.decode(<<?", 0xC0, 0xAF, ?">>)
    assert {:error, {:invalid_utf8, _}} = JSON.decode(<<?", 0xED, 0xA0, 0x80, ?">>)
    assert JSON.decode(<<?", 0x7F, ?">>) == {:ok, <<0x7F>>}
    assert {:error, {:unexpected_end, _}} = JSON.decode(~s("abc))
    assert {:error, {:unexpected_end, _}} = JSON.decode(~s({"a":[1,2))
  end

  test "refuses nesting deeper than 512 levels instead of exhausting the stack" do
    assert {:ok, _} = JSON.decode(String.duplicate("[", 500) <> String.duplicate("]", 500))
    deep = String.duplicate("[", 100_000) <> String.duplicate("]", 100_000)
    assert {:error, {:too_deep, _}} = JSON.decode(deep)
  end

  test "encodes and decodes back" do
    term = %{
      "symbols" => ["AAPL", "MSFT"],
      "n" => 3,
      "x" => 1.5,
      "ok" => true,
      "z" => nil,
      "s" => "quote\" back\\ nl\n tab\t ctl\x01 é"
    }

    assert {:ok, json} = JSON.encode(term)
    assert JSON.decode(json) == {:ok, term}
    assert JSON.encode(%{a: [1]}) == {:ok, ~s({"a":[1]})}
    assert JSON.encode({1, 2}) == {:error, {:unencodable, {1, 2}}}
    assert JSON.encode(<<0xFF>>) == {:error, {:unencodable, <<0xFF>>}}
  end

  test "decode! raises with the reason" do
    assert_raise ArgumentError, ~r/unexpected_byte at byte 3/, fn -> JSON.decode!("[1,]") end
  end
end
