// SimEngine: an in-process `finex sim` on a free loopback port and an
// OpenEngine whose yahoo provider points at it, both on one Clock: the setup
// the engine-level integration tests share.
//
// Ownership: the engine is declared after the simulator, so it goes first.
#pragma once

#include <memory>
#include <utility>

#include "finex/core/clock.h"
#include "finex/core/status.h"
#include "finex/engine/engine.h"
#include "finex/sim/simulator.h"

namespace finex::testing {

struct SimEngine {
  std::unique_ptr<sim::Simulator> sim;
  std::unique_ptr<engine::Engine> engine;
};

// Provider options for the simulator: no local throttling to speak of.
inline engine::ProviderOptions SimProviderOptions() {
  engine::ProviderOptions po;
  po.rate_limit_per_min = 100000;
  return po;
}

// Starts the simulator on `clock`, then OpenEngine(eo) with eo.clock = &clock
// and eo.providers["yahoo"] = po pointed at the simulator.
inline Result<SimEngine> StartSimEngine(Clock& clock, engine::EngineOptions eo = {},
                                        engine::ProviderOptions po = SimProviderOptions()) {
  SimEngine out;
  sim::SimOptions so;
  so.listen = "127.0.0.1:0";
  so.clock = &clock;
  FINEX_ASSIGN_OR_RETURN(out.sim, sim::Simulator::Start(so));
  eo.clock = &clock;
  po.base_url = out.sim->BaseUrl("yahoo");
  eo.providers["yahoo"] = std::move(po);
  FINEX_ASSIGN_OR_RETURN(out.engine, engine::OpenEngine(eo));
  return out;
}

}  // namespace finex::testing
