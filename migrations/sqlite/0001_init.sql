-- OneTrip schema, version 1.
--
-- How values are stored, the same on SQLite and PostgreSQL:
--   * instants: BIGINT Unix epoch milliseconds, UTC (`*_at` columns);
--   * calendar dates: TEXT 'YYYY-MM-DD';
--   * flags: INTEGER 0/1 (portable, and decodes the same on both drivers);
--   * enumerations: TEXT with a CHECK constraint listing the allowed codes.

-- Small key/value facts about this installation (e.g. when it was first seeded).
CREATE TABLE app_meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Service sites: where citizens can go. `code` is the stable public key.
CREATE TABLE sites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('main', 'sub', 'town')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    address_zh  TEXT NOT NULL,
    address_en  TEXT NOT NULL,
    phone       TEXT NOT NULL,
    hours_zh    TEXT NOT NULL,
    hours_en    TEXT NOT NULL,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The service network of a demonstration city (1 main centre, 3 sub-centres,
-- 11 town offices). A real centre edits these rows; village points, which only
-- offer consultation and collection, come with the appointment feature.
INSERT INTO sites (code, kind, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, sort_order, active, created_at, updated_at) VALUES
  ('MAIN', 'main', '明州市不动产登记中心', 'Mingzhou Real Estate Registration Centre', '明州市中山东路 1 号市民服务中心 2 楼', '2F Citizen Service Centre, 1 Zhongshan East Road, Mingzhou', '0570-8810 0000', '周一至周五 8:30–17:00（中午不休息）；周六 9:00–12:00', 'Mon–Fri 8:30–17:00 (open through lunch); Sat 9:00–12:00', 0, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('SUB-DH', 'sub', '东湖分中心', 'Donghu Sub-centre', '东湖区湖滨路 88 号', '88 Hubin Road, Donghu District', '0570-8810 1001', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 10, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('SUB-XL', 'sub', '西岭分中心', 'Xiling Sub-centre', '西岭区文昌路 20 号', '20 Wenchang Road, Xiling District', '0570-8810 1002', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 20, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('SUB-BG', 'sub', '北港分中心', 'Beigang Sub-centre', '北港新区港城大道 500 号', '500 Gangcheng Avenue, Beigang New District', '0570-8810 1003', '周一至周五 8:30–17:00（中午不休息）', 'Mon–Fri 8:30–17:00 (open through lunch)', 30, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-QS', 'town', '青山镇便民服务点', 'Qingshan Town Service Point', '青山镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Qingshan', '0570-8820 2001', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 40, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-BS', 'town', '白沙镇便民服务点', 'Baisha Town Service Point', '白沙镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Baisha', '0570-8820 2002', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 50, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-SQ', 'town', '石桥镇便民服务点', 'Shiqiao Town Service Point', '石桥镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Shiqiao', '0570-8820 2003', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 60, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-LX', 'town', '柳溪镇便民服务点', 'Liuxi Town Service Point', '柳溪镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Liuxi', '0570-8820 2004', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 70, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-LW', 'town', '龙湾镇便民服务点', 'Longwan Town Service Point', '龙湾镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Longwan', '0570-8820 2005', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 80, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-MY', 'town', '梅园镇便民服务点', 'Meiyuan Town Service Point', '梅园镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Meiyuan', '0570-8820 2006', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 90, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-HG', 'town', '花港镇便民服务点', 'Huagang Town Service Point', '花港镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Huagang', '0570-8820 2007', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 100, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-SA', 'town', '松岙镇便民服务点', 'Song''ao Town Service Point', '松岙镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Song''ao', '0570-8820 2008', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 110, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-LJ', 'town', '临江镇便民服务点', 'Linjiang Town Service Point', '临江镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Linjiang', '0570-8820 2009', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 120, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-DL', 'town', '大岚镇便民服务点', 'Dalan Town Service Point', '大岚镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Dalan', '0570-8820 2010', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 130, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
  ('TOWN-HX', 'town', '横溪镇便民服务点', 'Hengxi Town Service Point', '横溪镇人民路便民服务中心 1 楼', '1F Town Service Centre, Renmin Road, Hengxi', '0570-8820 2011', '周一至周五 8:30–12:00，13:30–17:00', 'Mon–Fri 8:30–12:00, 13:30–17:00', 140, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000);
