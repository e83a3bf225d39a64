#pragma once
// What a scenario needs that only an in-process reference target can see. tollgate's shared
// clock (`clock:` steps) reaches the mocks and the minter, and a reference target running in
// this process reads it; an external target keeps its own clock. Likewise the journal and the
// controls of the reference target itself tell nothing about another implementation. Against
// an external target such a case can neither pass nor fail: the runner skips it, naming its
// real-time variant (`real_time:`). Derived from the steps, never from tags.

#include <optional>
#include <string>
#include <string_view>

#include "tollgate/scenario/model.h"

namespace tollgate {

/// The first `clock:` step that is followed by a step talking to the target (a request, a
/// replay, a notification or a token fetch); nullptr when the case never moves the clock
/// before such a step.
const Step* SharedClockStep(const Scenario& scenario);

/// The first `mock:` or `received:` step that controls or reads `reference_service` (the
/// environment's in-process reference target); nullptr when there is none or the name is
/// empty.
const Step* ReferenceStateStep(const Scenario& scenario, std::string_view reference_service);

/// Why an external target cannot decide `scenario`: a sentence naming the step and its
/// location; nullopt when every verdict of the case rests on what the target observes.
std::optional<std::string> ExternalTargetBlocker(const Scenario& scenario,
                                                 std::string_view reference_service);

}  // namespace tollgate
