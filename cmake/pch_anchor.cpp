// The only source of the precompiled-header carrier target fixgate_pch (cmake/FixgateTargets.cmake):
// it exists to compile cmake_pch.hxx once, and every library reuses that.
