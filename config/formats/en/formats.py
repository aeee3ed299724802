# Unambiguous for buyers everywhere: "22 Nov 2026, 08:20 CET", with the zone the time is in.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
