#include <gtest/gtest.h>
#include "tests/testutil/status_matchers.h"
