// RPZ figures on the /metrics page: one family per figure, labelled by
// zone, and the hits by zone, trigger and action.
#include <gtest/gtest.h>

#include "server/metrics_page.h"

namespace cairn::server {
namespace {

TEST(RpzMetrics, HitsAreLabelledByZoneTriggerAndAction) {
    const auto place = metric_place("rpz.hits.client-ip.local-data.rpz.example.", false);
    EXPECT_EQ(place.family, "cairn_rpz_hits_total");
    EXPECT_EQ(place.label, "zone");
    EXPECT_EQ(place.label_value, "rpz.example.");
    ASSERT_EQ(place.more_labels.size(), 2u);
    EXPECT_EQ(place.more_labels[0].name, "trigger");
    EXPECT_EQ(place.more_labels[0].value, "client-ip");
    EXPECT_EQ(place.more_labels[1].name, "action");
    EXPECT_EQ(place.more_labels[1].value, "local-data");
}

TEST(RpzMetrics, ZoneFiguresAreLabelledByZone) {
    const auto serial = metric_place("rpz.serial.rpz.example.", true);
    EXPECT_EQ(serial.family, "cairn_rpz_serial");
    EXPECT_EQ(serial.type, observe::MetricType::kGauge);
    EXPECT_EQ(serial.label_value, "rpz.example.");
    const auto failures = metric_place("rpz.load_failures.rpz.example.", false);
    EXPECT_EQ(failures.family, "cairn_rpz_load_failures_total");
    EXPECT_EQ(failures.label, "zone");
}

TEST(RpzMetrics, TheHitsFamilyCarriesAllThreeLabels) {
    Figures figures;
    figures.stats.push_back({"rpz.hits.qname.nxdomain.rpz.example.", 3, false, "hits"});
    figures.stats.push_back({"rpz.hits.response-ip.drop.rpz.example.", 1, false, "hits"});
    const std::string page = metrics_page(figures);
    EXPECT_NE(page.find("cairn_rpz_hits_total{zone=\"rpz.example.\",trigger=\"qname\","
                        "action=\"nxdomain\"} 3"),
              std::string::npos)
        << page;
    EXPECT_NE(page.find("trigger=\"response-ip\",action=\"drop\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace cairn::server
