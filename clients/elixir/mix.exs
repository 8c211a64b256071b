defmodule Finex.MixProject do
  use Mix.Project

  # No Hex packages on purpose: the client runs on a bare Elixir/OTP install
  # (Debian's `elixir` package), over OTP's :httpc, :ssl and :public_key.
  def project do
    [
      app: :finex,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      description:
        "Elixir client for finex: a Quant.Explorer http_client that points the " <>
          "five providers at finex, and Finex.CachedAPI over finex's /v1 API"
    ]
  end

  def application do
    [extra_applications: [:logger, :inets, :ssl, :public_key]]
  end
end
