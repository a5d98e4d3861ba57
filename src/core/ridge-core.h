/* ridge-core.h — everything of src/core in one include
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ridge-backoff.h"
#include "ridge-connector.h"
#include "ridge-discovery.h"
#include "ridge-error.h"
#include "ridge-health.h"
#include "ridge-image-io.h"
#include "ridge-message.h"
#include "ridge-session.h"
#include "ridge-stream.h"
#include "ridge-trace.h"
