#include "finex/core/provider_id.h"

#include "finex/core/symbol.h"

namespace finex {

Result<ProviderId> ParseProviderId(std::string_view name) {
  for (ProviderId id : kAllProviders) {
    if (ProviderName(id) == name) return id;
  }
  return InvalidArgumentError("provider '" + Printable(name) + "' is not one of " +
                              JoinProviderNames(" "))
      .WithParam("provider");
}

bool IsProviderName(std::string_view name) {
  for (ProviderId id : kAllProviders) {
    if (ProviderName(id) == name) return true;
  }
  return false;
}

std::string JoinProviderNames(std::string_view separator, std::string_view prefix) {
  std::string out;
  for (ProviderId id : kAllProviders) {
    if (!out.empty()) out += separator;
    out += prefix;
    out += ProviderName(id);
  }
  return out;
}

}  // namespace finex
