defmodule Finex.JSON do
  @moduledoc """
  A small, strict JSON (RFC 8259) decoder and encoder, so the client needs no
  Hex package.

  Decoding gives what `Jason.decode/1` and Elixir 1.18's `JSON.decode/1` give
  (which is what Quant.Explorer's providers expect from `decode_json/1`):
  objects become maps with string keys, arrays lists, integers integers,
  numbers with a fraction or exponent floats, `true`/`false`/`null` the atoms
  `true`/`false`/`nil`. A repeated object key keeps its last value.

  Errors are `{:error, {reason, byte_offset}}`, never an exception; nesting
  deeper than #{512} levels is refused (`:too_deep`) so a hostile body cannot
  exhaust the stack.
  """

  @max_depth 512

  @type t :: nil | boolean | number | String.t() | [t] | %{optional(String.t()) => t}

  @doc """
  Decodes one JSON text (surrounding whitespace allowed).

  Returns `{:ok, term}` or `{:error, {reason, offset}}` where `reason` is one of
  `:unexpected_end`, `:unexpected_byte`, `:invalid_escape`, `:invalid_utf8`,
  `:control_character`, `:invalid_number`, `:trailing_data`, `:too_deep`.
  """
  @spec decode(binary) :: {:ok, t} | {:error, {atom, non_neg_integer}}
  def decode(bin) when is_binary(bin) do
    rest = skip_ws(bin)

    case value(rest, byte_size(bin), 0) do
      {:ok, v, rest} ->
        case skip_ws(rest) do
          "" -> {:ok, v}
          more -> {:error, {:trailing_data, byte_size(bin) - byte_size(more)}}
        end

      {:error, reason, rest} ->
        {:error, {reason, byte_size(bin) - byte_size(rest)}}
    end
  end

  def decode(_), do: {:error, {:not_a_binary, 0}}

  @doc "Like `decode/1` but raises `ArgumentError` on malformed input."
  @spec decode!(binary) :: t
  def decode!(bin) do
    case decode(bin) do
      {:ok, v} -> v
      {:error, {reason, at}} -> raise ArgumentError, "invalid JSON: #{reason} at byte #{at}"
    end
  end

  # ---------------------------------------------------------------- values

  defp value(bin, _, depth) when depth > @max_depth, do: {:error, :too_deep, bin}
  defp value(<<?{, rest::binary>>, n, d), do: object(skip_ws(rest), n, d + 1, %{})
  defp value(<<?[, rest::binary>>, n, d), do: array(skip_ws(rest), n, d + 1, [])
  defp value(<<?", rest::binary>>, _, _), do: string(rest, [])
  defp value(<<"true", rest::binary>>, _, _), do: {:ok, true, rest}
  defp value(<<"false", rest::binary>>, _, _), do: {:ok, false, rest}
  defp value(<<"null", rest::binary>>, _, _), do: {:ok, nil, rest}
  defp value(<<c, _::binary>> = bin, _, _) when c == ?- or c in ?0..?9, do: number(bin)
  defp value("", _, _), do: {:error, :unexpected_end, ""}
  defp value(bin, _, _), do: {:error, :unexpected_byte, bin}

  defp object(<<?}, rest::binary>>, _, _, acc) when acc == %{}, do: {:ok, acc, rest}

  defp object(<<?", rest::binary>>, n, d, acc) do
    with {:ok, key, rest} <- string(rest, []),
         <<?:, rest::binary>> <- skip_ws(rest),
         {:ok, v, rest} <- value(skip_ws(rest), n, d) do
      acc = Map.put(acc, key, v)

      case skip_ws(rest) do
        <<?,, rest::binary>> -> object_key(skip_ws(rest), n, d, acc)
        <<?}, rest::binary>> -> {:ok, acc, rest}
        "" -> {:error, :unexpected_end, ""}
        other -> {:error, :unexpected_byte, other}
      end
    else
      {:error, _, _} = e -> e
      "" -> {:error, :unexpected_end, ""}
      other when is_binary(other) -> {:error, :unexpected_byte, other}
    end
  end

  defp object("", _, _, _), do: {:error, :unexpected_end, ""}
  defp object(bin, _, _, _), do: {:error, :unexpected_byte, bin}

  # After a comma a key must follow (no trailing comma).
  defp object_key(<<?", _::binary>> = bin, n, d, acc), do: object(bin, n, d, acc)
  defp object_key("", _, _, _), do: {:error, :unexpected_end, ""}
  defp object_key(bin, _, _, _), do: {:error, :unexpected_byte, bin}

  defp array(<<?], rest::binary>>, _, _, []), do: {:ok, [], rest}

  defp array(bin, n, d, acc) do
    case value(bin, n, d) do
      {:ok, v, rest} ->
        case skip_ws(rest) do
          <<?,, rest::binary>> -> array_next(skip_ws(rest), n, d, [v | acc])
          <<?], rest::binary>> -> {:ok, Enum.reverse([v | acc]), rest}
          "" -> {:error, :unexpected_end, ""}
          other -> {:error, :unexpected_byte, other}
        end

      err ->
        err
    end
  end

  defp array_next(<<?], _::binary>> = bin, _, _, _), do: {:error, :unexpected_byte, bin}
  defp array_next(bin, n, d, acc), do: array(bin, n, d, acc)

  # ---------------------------------------------------------------- strings

  # acc holds binaries in reverse; escapes are pushed already UTF-8 encoded.
  defp string(<<?", rest::binary>>, acc), do: {:ok, finish_string(acc), rest}

  defp string(<<?\\, rest::binary>>, acc) do
    case rest do
      <<?", r::binary>> -> string(r, ["\"" | acc])
      <<?\\, r::binary>> -> string(r, ["\\" | acc])
      <<?/, r::binary>> -> string(r, ["/" | acc])
      <<?b, r::binary>> -> string(r, ["\b" | acc])
      <<?f, r::binary>> -> string(r, ["\f" | acc])
      <<?n, r::binary>> -> string(r, ["\n" | acc])
      <<?r, r::binary>> -> string(r, ["\r" | acc])
      <<?t, r::binary>> -> string(r, ["\t" | acc])
      <<?u, h::binary-size(4), r::binary>> -> unicode_escape(h, r, acc)
      "" -> {:error, :unexpected_end, ""}
      _ -> {:error, :invalid_escape, rest}
    end
  end

  defp string(<<c, _::binary>> = bin, _) when c < 0x20, do: {:error, :control_character, bin}
  defp string("", _), do: {:error, :unexpected_end, ""}

  defp string(bin, acc) do
    # The longest run of plain characters at once, validating UTF-8 as it goes.
    case plain_len(bin, 0) do
      0 ->
        {:error, :invalid_utf8, bin}

      n ->
        <<chunk::binary-size(n), rest::binary>> = bin
        string(rest, [chunk | acc])
    end
  end

  defp plain_len(<<c, rest::binary>>, n) when c >= 0x20 and c < 0x80 and c != ?" and c != ?\\,
    do: plain_len(rest, n + 1)

  # <<c::utf8>> matches only well-formed UTF-8 (no overlongs, no surrogates).
  defp plain_len(<<c::utf8, rest::binary>>, n) when c >= 0x80,
    do: plain_len(rest, n + utf8_size(c))

  defp plain_len(_, n), do: n

  defp utf8_size(c) when c < 0x800, do: 2
  defp utf8_size(c) when c < 0x10000, do: 3
  defp utf8_size(_), do: 4

  defp finish_string([]), do: ""
  defp finish_string([chunk]), do: chunk
  defp finish_string(acc), do: acc |> Enum.reverse() |> IO.iodata_to_binary()

  defp unicode_escape(hex, rest, acc) do
    case parse_hex(hex) do
      {:ok, hi} when hi in 0xD800..0xDBFF ->
        with <<?\\, ?u, h2::binary-size(4), r2::binary>> <- rest,
             {:ok, lo} when lo in 0xDC00..0xDFFF <- parse_hex(h2) do
          cp = 0x10000 + (hi - 0xD800) * 0x400 + (lo - 0xDC00)
          string(r2, [<<cp::utf8>> | acc])
        else
          _ -> {:error, :invalid_escape, rest}
        end

      {:ok, cp} when cp in 0xDC00..0xDFFF ->
        {:error, :invalid_escape, rest}

      {:ok, cp} ->
        string(rest, [<<cp::utf8>> | acc])

      :error ->
        {:error, :invalid_escape, rest}
    end
  end

  defp parse_hex(h) do
    if h =~ ~r/\A[0-9A-Fa-f]{4}\z/, do: {:ok, String.to_integer(h, 16)}, else: :error
  end

  # ---------------------------------------------------------------- numbers

  # JSON grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  # Scanned by hand (a regex per number is ~10x slower on large answers).
  defp number(bin) do
    with {:ok, n1} <- sign(bin),
         {:ok, n2} <- int_part(bin, n1),
         {:ok, n3, frac?} <- frac_part(bin, n2),
         {:ok, n4, exp?} <- exp_part(bin, n3) do
      <<text::binary-size(n4), rest::binary>> = bin

      cond do
        not frac? and not exp? ->
          {:ok, String.to_integer(text), rest}

        true ->
          # :erlang.binary_to_float/1 wants a fraction: "1e5" -> "1.0e5"
          text =
            if frac?,
              do: text,
              else: binary_part(text, 0, n2) <> ".0" <> binary_part(text, n2, n4 - n2)

          {:ok, :erlang.binary_to_float(text), rest}
      end
    else
      :error -> {:error, :invalid_number, bin}
    end
  rescue
    # binary_to_float raises on exponents beyond the double range.
    ArgumentError -> {:error, :invalid_number, bin}
  end

  defp sign(<<?-, _::binary>>), do: {:ok, 1}
  defp sign(_), do: {:ok, 0}

  defp int_part(bin, at) do
    case bin do
      <<_::binary-size(at), ?0, _::binary>> -> {:ok, at + 1}
      <<_::binary-size(at), c, _::binary>> when c in ?1..?9 -> {:ok, digits(bin, at + 1)}
      _ -> :error
    end
  end

  defp frac_part(bin, at) do
    case bin do
      <<_::binary-size(at), ?., c, _::binary>> when c in ?0..?9 ->
        {:ok, digits(bin, at + 2), true}

      <<_::binary-size(at), ?., _::binary>> ->
        :error

      _ ->
        {:ok, at, false}
    end
  end

  defp exp_part(bin, at) do
    case bin do
      <<_::binary-size(at), e, s, c, _::binary>>
      when e in [?e, ?E] and s in [?+, ?-] and c in ?0..?9 ->
        {:ok, digits(bin, at + 3), true}

      <<_::binary-size(at), e, c, _::binary>> when e in [?e, ?E] and c in ?0..?9 ->
        {:ok, digits(bin, at + 2), true}

      <<_::binary-size(at), e, _::binary>> when e in [?e, ?E] ->
        :error

      _ ->
        {:ok, at, false}
    end
  end

  defp digits(bin, at) do
    case bin do
      <<_::binary-size(at), c, _::binary>> when c in ?0..?9 -> digits(bin, at + 1)
      _ -> at
    end
  end

  defp skip_ws(<<c, rest::binary>>) when c in [?\s, ?\t, ?\n, ?\r], do: skip_ws(rest)
  defp skip_ws(bin), do: bin

  # ---------------------------------------------------------------- encoding

  @doc """
  Encodes maps (atom or string keys), lists, strings, numbers, booleans and
  `nil` as compact JSON. Returns `{:ok, iodata_binary}` or
  `{:error, {:unencodable, term}}` (tuples, pids, non-finite floats...).
  """
  @spec encode(term) :: {:ok, binary} | {:error, {:unencodable, term}}
  def encode(term) do
    {:ok, IO.iodata_to_binary(enc(term))}
  catch
    {:unencodable, t} -> {:error, {:unencodable, t}}
  end

  defp enc(nil), do: "null"
  defp enc(true), do: "true"
  defp enc(false), do: "false"
  defp enc(a) when is_atom(a), do: enc(Atom.to_string(a))
  defp enc(i) when is_integer(i), do: Integer.to_string(i)
  defp enc(f) when is_float(f), do: Float.to_string(f)
  defp enc(s) when is_binary(s), do: [?", escape(s), ?"]
  defp enc(l) when is_list(l), do: [?[, Enum.map_intersperse(l, ?,, &enc/1), ?]]

  defp enc(%{__struct__: _} = s), do: throw({:unencodable, s})

  defp enc(m) when is_map(m) do
    pairs =
      Enum.map_intersperse(m, ?,, fn {k, v} ->
        key = if is_atom(k) or is_binary(k), do: to_string(k), else: throw({:unencodable, k})
        [enc(key), ?:, enc(v)]
      end)

    [?{, pairs, ?}]
  end

  defp enc(other), do: throw({:unencodable, other})

  defp escape(s) do
    if not String.valid?(s), do: throw({:unencodable, s})

    for <<c::utf8 <- s>>, into: "" do
      case c do
        ?" -> "\\\""
        ?\\ -> "\\\\"
        ?\n -> "\\n"
        ?\r -> "\\r"
        ?\t -> "\\t"
        c when c < 0x20 -> "\\u" <> String.pad_leading(Integer.to_string(c, 16), 4, "0")
        c -> <<c::utf8>>
      end
    end
  end
end
