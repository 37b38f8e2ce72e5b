// CMDB exports: the CSV reader's edge cases and the ARN > id > name lookup.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "ownership/cmdb_source.h"
#include "ownership/csv.h"

namespace fixgate::ownership {
namespace {

TEST(CsvTest, QuotesEscapedQuotesCrlfAndEmbeddedNewlines) {
  const std::string text =
      "\xEF\xBB\xBF" "name,comment,group\r\n"
      "\"a,b\",\"she said \"\"hi\"\"\",ops\r\n"
      "plain,\"two\r\nlines\",\"\"\r\n"
      "\r\n"
      "last,,end";
  auto records = parse_csv(text);
  ASSERT_TRUE(records.ok()) << records.error().to_string();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].fields, (std::vector<std::string>{"name", "comment", "group"}));
  EXPECT_EQ((*records)[1].fields, (std::vector<std::string>{"a,b", "she said \"hi\"", "ops"}));
  EXPECT_EQ((*records)[1].line, 2);
  EXPECT_EQ((*records)[2].fields, (std::vector<std::string>{"plain", "two\r\nlines", ""}));
  EXPECT_EQ((*records)[2].line, 3);
  EXPECT_EQ((*records)[3].fields, (std::vector<std::string>{"last", "", "end"}));
  EXPECT_EQ((*records)[3].line, 6);  // the record after the two-line field and the blank line
}

TEST(CsvTest, MalformedInputNamesTheLine) {
  auto unterminated = parse_csv("a,b\n1,\"open\n2,3\n");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().code, "csv.malformed");
  EXPECT_EQ(unterminated.error().message, "line 2: unterminated quoted field");

  auto after_quote = parse_csv("a,b\n\"x\"y,2\n");
  ASSERT_FALSE(after_quote.ok());
  EXPECT_EQ(after_quote.error().message, "line 2, column 4: unexpected text after a closing quote");

  auto inner_quote = parse_csv("a,b\nab\"c,2\n");
  ASSERT_FALSE(inner_quote.ok());
  EXPECT_EQ(inner_quote.error().message, "line 2, column 3: quote inside an unquoted field");
}

TEST(CsvTest, TrailingEmptyFieldAndNoFinalNewline) {
  auto records = parse_csv("a,b,\n\"\",x,");
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].fields.size(), 3u);
  EXPECT_EQ((*records)[1].fields, (std::vector<std::string>{"", "x", ""}));
}

const char* kExport =
    "sys_id,Name,u_arn,object_id,assignment_group,owned_by\r\n"
    "c1,payments-db,arn:aws:rds:us-east-1:111122223333:db:payments-db,db-ABC,Payments DBA,\"Doe, Jane\"\r\n"
    "c2,logs-bucket,,,\"Platform \"\"Core\"\"\",\r\n"
    "c3,web-1,,i-0abc123,Web Team,sam@example.com\r\n";

TEST(CmdbSourceTest, LooksUpByArnThenIdThenName) {
  auto cmdb = CmdbSource::from_csv(kExport, "cmdb.csv");
  ASSERT_TRUE(cmdb.ok()) << cmdb.error().to_string();
  ASSERT_EQ(cmdb->items().size(), 3u);

  Finding by_arn;
  by_arn.resource_arn = "arn:aws:rds:us-east-1:111122223333:db:payments-db";
  by_arn.resource_id = "i-0abc123";  // would match c3, but the ARN decides first
  auto c = cmdb->candidates(by_arn);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "Payments DBA");
  EXPECT_EQ(c[0].kind, OwnerKind::team);
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.85);
  EXPECT_EQ(c[0].evidence_value("cmdb_record"), "cmdb.csv:2");
  EXPECT_EQ(c[0].evidence_value("matched_by"), "arn");
  EXPECT_EQ(c[0].evidence_value("sys_id"), "c1");
  EXPECT_EQ(c[1].owner, "Doe, Jane");
  EXPECT_EQ(c[1].kind, OwnerKind::person);
  EXPECT_DOUBLE_EQ(c[1].confidence, 0.75);

  Finding by_id;
  by_id.resource_arn = "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc123";
  by_id.resource_id = "i-0abc123";
  c = cmdb->candidates(by_id);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "Web Team");
  EXPECT_EQ(c[0].evidence_value("matched_by"), "resource_id");
  EXPECT_EQ(c[1].owner, "sam@example.com");

  Finding by_name;
  by_name.resource_name = "LOGS-BUCKET";
  c = cmdb->candidates(by_name);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "Platform \"Core\"");
  EXPECT_EQ(c[0].evidence_value("matched_by"), "name");
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.6);

  Finding unknown;
  unknown.resource_name = "nope";
  EXPECT_TRUE(cmdb->candidates(unknown).empty());
}

TEST(CmdbSourceTest, BadExportsNameFileAndLine) {
  auto short_row = CmdbSource::from_csv("name,assignment_group\nweb,ops\nlonely\n", "x.csv");
  ASSERT_FALSE(short_row.ok());
  EXPECT_EQ(short_row.error().message, "x.csv:3: expected 2 fields, found 1");

  auto no_key = CmdbSource::from_csv("foo,assignment_group\n1,ops\n", "y.csv");
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().code, "cmdb.missing_column");
  EXPECT_EQ(no_key.error().message, "y.csv:1: no ARN, resource id or name column");

  auto bad_quote = CmdbSource::from_csv("name,owner\n\"web,ops\n", "z.csv");
  ASSERT_FALSE(bad_quote.ok());
  EXPECT_EQ(bad_quote.error().message, "z.csv: line 2: unterminated quoted field");

  auto missing = CmdbSource::load("/nonexistent/cmdb.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "cmdb.unreadable");
}

TEST(CmdbSourceTest, ServiceNowJsonWithDisplayValues) {
  const std::string json = R"({"result": [
    {"sys_id": "a1", "name": "orders-queue", "u_arn": "arn:aws:sqs:us-east-1:111122223333:orders-queue",
     "assignment_group": {"display_value": "Orders", "value": "6816f79cc0a8016401c5a33be04be441"},
     "owned_by": {"display_value": "Ann Lee", "value": "46d44a23a9fe19810012d100cca80666"}},
    {"sys_id": "a2", "name": "other", "assignment_group": null}
  ]})";
  auto cmdb = CmdbSource::from_json(json, "cmdb.json");
  ASSERT_TRUE(cmdb.ok()) << cmdb.error().to_string();
  Finding f;
  f.resource_arn = "arn:aws:sqs:us-east-1:111122223333:orders-queue";
  const auto c = cmdb->candidates(f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "Orders");
  EXPECT_EQ(c[0].evidence_value("cmdb_record"), "cmdb.json result[0]");
  EXPECT_EQ(c[1].owner, "Ann Lee");

  auto bad = CmdbSource::from_json(R"({"result": [{"name": "x", "owner": ["a"]}]})", "bad.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "bad.json result[0].owner: expected a string");
}

TEST(CmdbSourceTest, LoadChoosesFormatByExtension) {
  const auto dir = std::filesystem::temp_directory_path() / ("fixgate-cmdb-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "export.csv") << kExport;
    std::ofstream(dir / "export.json") << R"([{"name": "web-1", "support_group": "Web"}])";
  }
  auto csv = CmdbSource::load((dir / "export.csv").string());
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->items().size(), 3u);
  auto json = CmdbSource::load((dir / "export.json").string());
  ASSERT_TRUE(json.ok()) << json.error().to_string();
  ASSERT_EQ(json->items().size(), 1u);
  EXPECT_EQ(json->items()[0].assignment_group, "Web");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgate::ownership
