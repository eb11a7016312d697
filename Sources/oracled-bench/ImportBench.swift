func runImportBench(directory: String, count: Int) -> [(name: String, value: Double, unit: String)] { [] }
