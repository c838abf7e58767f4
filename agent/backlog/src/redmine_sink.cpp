// Placeholder: the Redmine sink is being written.
#include "shopwatch/agent/backlog/redmine_sink.h"
