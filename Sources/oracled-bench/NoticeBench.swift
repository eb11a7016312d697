func runNoticeBench(directory: String) -> [(name: String, value: Double, unit: String)] { [] }
