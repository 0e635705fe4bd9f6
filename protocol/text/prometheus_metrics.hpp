// /metrics: the Prometheus text exposition of INFO's figures under the names
// redis_exporter gives them (so Grafana dashboards built for Redis chart
// Troupe unchanged), plus Troupe's own troupe_* families.
#pragma once
#include <string>
#include <vector>

#include "protocol/text/info_text.hpp"

namespace troupe {

// `info` is INFO everything (INFO all plus Troupe's section), parsed.
std::string prometheus_metrics(const std::vector<info_section>& info);

}  // namespace troupe
