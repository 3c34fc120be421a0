"""Excel's function families in cellrules recalc, against the results Microsoft documents for them
(the examples on each function's support page), errors included. Every formula is written into a real
.xlsx with the documentation's data, recalculated headless, and read back."""
from __future__ import annotations

import math

import openpyxl
import pytest

from cellrules.recalc.batch.run import recalc_file

# Data on the sheet "D": A1:A6 numbers, B1:B6 text, C1:C6 dates (serials), E1:F4 a lookup table
DATA = {
    "A": [10, 7, 9, 27, 2, None], "B": ["apples", "Oranges", "", "pears", "a*b", "TRUE"],
    "C": [39448, 39508, 39601, 39783, 40000, 40179],  # 2008-01-01, 2008-03-01, 2008-06-02, 2008-12-01 …
    "E": [1, 2, 3, 4], "F": ["one", "two", "three", "four"],
}

MATH = [
    ("=POWER(5,2)", 25), ("=POWER(98.6,3.2)", 2401077.222), ("=POWER(4,5/4)", 5.656854249),
    ("=MOD(3,2)", 1), ("=MOD(-3,2)", 1), ("=MOD(3,-2)", -1), ("=MOD(-3,-2)", -1), ("=MOD(3,0)", "#DIV/0!"),
    ("=INT(8.9)", 8), ("=INT(-8.9)", -9), ("=TRUNC(8.9)", 8), ("=TRUNC(-8.9)", -8), ("=TRUNC(PI(),3)", 3.141),
    ("=CEILING(2.5,1)", 3), ("=CEILING(-2.5,-2)", -4), ("=CEILING(-2.5,2)", -2), ("=CEILING(1.5,0.1)", 1.5),
    ("=CEILING(0.234,0.01)", 0.24), ("=CEILING(2.5,-2)", "#NUM!"),
    ("=FLOOR(3.7,2)", 2), ("=FLOOR(-2.5,-2)", -2), ("=FLOOR(2.5,-2)", "#NUM!"), ("=FLOOR(1.58,0.1)", 1.5),
    ("=FLOOR(0.234,0.01)", 0.23), ("=_xlfn.CEILING.MATH(-5.5,2,-1)", -6), ("=_xlfn.FLOOR.MATH(-5.5,2,-1)", -4),
    ("=MROUND(10,3)", 9), ("=MROUND(-10,-3)", -9), ("=MROUND(1.3,0.2)", 1.4), ("=MROUND(5,-2)", "#NUM!"),
    ("=EVEN(1.5)", 2), ("=EVEN(-1)", -2), ("=ODD(1.5)", 3), ("=ODD(-2)", -3), ("=ODD(0)", 1),
    ("=SQRT(16)", 4), ("=SQRT(-16)", "#NUM!"), ("=LN(86)", 4.454347296), ("=LOG(8,2)", 3), ("=LOG10(86)", 1.934498451),
    ("=EXP(1)", 2.718281828), ("=SIN(PI()/2)", 1), ("=COS(0)", 1), ("=DEGREES(PI())", 180), ("=RADIANS(270)", 4.712389),
    ("=ATAN2(1,1)", 0.785398163), ("=ATAN2(0,0)", "#DIV/0!"), ("=ASIN(2)", "#NUM!"), ("=FACT(5)", 120),
    ("=FACT(-1)", "#NUM!"), ("=COMBIN(8,2)", 28), ("=PERMUT(100,3)", 970200), ("=GCD(5,2)", 1), ("=GCD(24,36)", 12),
    ("=LCM(24,36)", 72), ("=PRODUCT(A1:A3)", 630), ("=PRODUCT(A1:A3,2)", 1260), ("=SUMSQ(3,4)", 25),
    ("=QUOTIENT(-10,3)", -3), ("=SIGN(-0.00001)", -1), ("=ABS(-4)", 4), ("=SUMPRODUCT(A1:A3,A2:A4)", 376),
    ("=SUMPRODUCT((B1:B6=\"apples\")*A1:A6)", 10), ("=SUBTOTAL(9,A1:A5)", 55), ("=SUBTOTAL(101,A1:A5)", 11),
    ("=MDETERM({3,6,1;1,1,0;3,10,2})", 1), ("=MDETERM({3,6;1,1})", -3), ("=SUM(MMULT({1,2;3,4},{1;1}))", 10),
]
STATS = [
    ("=MEDIAN(1,2,3,4,5)", 3), ("=MEDIAN(1,2,3,4,5,6)", 3.5), ("=MODE(5.6,4,4,3,2,4)", 4),
    ("=MODE(1,2,3)", "#N/A"), ("=STDEV(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 27.46391572),
    ("=STDEVP(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 26.05455814),
    ("=VAR(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 754.2666667),
    ("=_xlfn.VAR.P(1345,1301,1368,1322,1310,1370,1318,1350,1303,1299)", 678.84), ("=STDEV(1)", "#DIV/0!"),
    ("=AVERAGEA(A1:A5,B1)", 9.166666667), ("=COUNTBLANK(A1:A6)", 1), ("=RANK(7,A1:A5,1)", 2),
    ("=RANK(9,A1:A5)", 3), ("=RANK(8,A1:A5)", "#N/A"), ("=PERCENTILE({1,3,2,4},0.3)", 1.9),
    ("=QUARTILE({1,2,4,7,8,9,10,12},1)", 3.5), ("=SLOPE({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 0.305555556),
    ("=INTERCEPT({2,3,9,1,8},{6,5,11,7,5})", 0.048387097), ("=FORECAST(30,{6,7,9,15,21},{20,28,31,38,40})", 10.60725308),
    ("=CORREL({3,2,4,5,6},{9,7,12,15,17})", 0.997054486), ("=MAXA(A1:A5,TRUE)", 27), ("=MINA(0.5,A1:A5)", 0.5),
    ("=_xlfn.MAXIFS(A1:A5,B1:B5,\"<>apples\")", 27), ("=GEOMEAN(4,5,8,7,11,4,3)", 5.476986969),
]
FINANCIAL = [
    ("=PMT(0.08/12,10,10000)", -1037.032089), ("=PMT(0.08/12,10,10000,0,1)", -1030.164327),
    ("=FV(0.06/12,10,-200,-500,1)", 2581.403374), ("=FV(0.12/12,12,-1000)", 12682.50301),
    ("=PV(0.08/12,12*20,500,,0)", -59777.14585), ("=NPER(0.12/12,-100,-1000,10000,1)", 59.6738657),
    ("=NPER(0.12/12,-100,-1000)", -9.57859404), ("=RATE(4*12,-200,8000)", 0.007701472),
    ("=NPV(0.1,-10000,3000,4200,6800)", 1188.443412), ("=IRR({-70000,12000,15000,18000,21000,26000})", 0.086630948),
    ("=IRR({-70000,12000,15000,18000,21000},-0.1)", -0.021244848), ("=IPMT(0.1/12,1,3*12,8000)", -66.66666667),
    ("=PPMT(0.1/12,1,2*12,2000)", -75.62318601), ("=SLN(30000,7500,10)", 2250), ("=SYD(30000,7500,10,1)", 4090.909091),
    ("=SYD(30000,7500,10,10)", 409.0909091), ("=DDB(2400,300,10*365,1)", 1.315068493), ("=DDB(2400,300,10,2)", 384),
    ("=DB(1000000,100000,6,1,7)", 186083.3333), ("=DB(1000000,100000,6,7,7)", 15845.0984),
    ("=VDB(2400,300,10*365,0,1)", 1.315068493), ("=VDB(2400,300,10,0,0.875,1.5)", 315),
    ("=XNPV(0.09,{-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904})", 2086.647602),
    ("=SLN(1,1,0)", "#DIV/0!"),
]
DATES = [
    ("=DATE(2008,1,2)", 39449), ("=DATE(108,1,2)", 39449), ("=DATE(2008,14,2)", 39846), ("=DATE(2008,1,-15)", 39432),
    ("=YEAR(0)", 1900), ("=MONTH(0)", 1), ("=DAY(0)", 0), ("=DAY(60)", 29), ("=MONTH(60)", 2), ("=DAY(61)", 1),
    ("=DATE(1900,2,29)", 60), ("=DATE(1900,3,1)", 61), ("=DATE(1E+20,1,1)", "#NUM!"),
    ("=HOUR(0.7)", 16), ("=MINUTE(\"12:45:00 PM\")", 45), ("=SECOND(\"4:48:18 PM\")", 18), ("=TIME(12,0,0)", 0.5),
    ("=TIME(16,48,10)", 0.700115741), ("=TIMEVALUE(\"2:24 AM\")", 0.1), ("=DATEVALUE(\"2008-08-22\")", 39682),
    ("=DATEVALUE(\"22-AUG-2008\")", 39682), ("=WEEKDAY(39492)", 5), ("=WEEKDAY(39492,2)", 4), ("=WEEKDAY(39492,3)", 3),
    ("=WEEKNUM(39522)", 11), ("=WEEKNUM(39522,2)", 11), ("=_xlfn.ISOWEEKNUM(40613)", 10),
    ("=DATEDIF(36892,37622,\"Y\")", 2), ("=DATEDIF(37043,37483,\"D\")", 440), ("=DATEDIF(37043,37483,\"YD\")", 75),
    ("=DATEDIF(37043,37483,\"MD\")", 14), ("=DATEDIF(37483,37043,\"D\")", "#NUM!"),
    ("=NETWORKDAYS(41183,41334)", 110), ("=NETWORKDAYS(41183,41334,{41235,41247,41295})", 107),
    ("=WORKDAY(39722,151)", 39933), ("=WORKDAY(39722,151,{39778,39786,39834})", 39938),
    ("=EDATE(40179,1)", 40210), ("=EOMONTH(39448,1)", 39507), ("=EOMONTH(39448,-3)", 39386), ("=EOMONTH(40544,-3)", 40482),
    ("=DAYS360(40179,40544)", 360), ("=YEARFRAC(40909,41120)", 0.580555556), ("=YEARFRAC(40909,41120,1)", 0.576502732),
    ("=YEARFRAC(40909,41120,3)", 0.578082192), ("=DAYS(\"2021-03-15\",\"2021-02-01\")", 42),
]
TEXT = [
    ("=CONCATENATE(\"Stream population for \",B1,\" \",A1)", "Stream population for apples 10"),
    ("=_xlfn.CONCAT(B1:B2,\"!\")", "applesOranges!"), ("=_xlfn.TEXTJOIN(\", \",TRUE,B1:B4)", "apples, Oranges, pears"),
    ("=_xlfn.TEXTJOIN(\"-\",FALSE,B1:B3)", "apples-Oranges-"), ("=FIND(\"M\",\"Miriam McGovern\")", 1),
    ("=FIND(\"m\",\"Miriam McGovern\")", 6), ("=FIND(\"M\",\"Miriam McGovern\",3)", 8), ("=FIND(\"z\",\"abc\")", "#VALUE!"),
    ("=SEARCH(\"e\",\"Statements\",6)", 7), ("=SEARCH(\"b?d\",\"abcbed\")", 4), ("=SEARCH(\"~*\",\"a*b\")", 2),
    ("=SUBSTITUTE(\"Sales Data\",\"Sales\",\"Cost\")", "Cost Data"), ("=SUBSTITUTE(\"Quarter 1, 2008\",\"1\",\"2\",1)",
                                                                       "Quarter 2, 2008"),
    ("=SUBSTITUTE(\"Quarter 1, 2011\",\"1\",\"2\",3)", "Quarter 1, 2012"), ("=REPLACE(\"abcdefghijk\",6,5,\"*\")", "abcde*k"),
    ("=REPT(\"*-\",3)", "*-*-*-"), ("=PROPER(\"this is a TITLE\")", "This Is A Title"), ("=PROPER(\"2-way street\")",
                                                                                         "2-Way Street"),
    ("=EXACT(\"word\",\"Word\")", False), ("=VALUE(\"$1,000\")", 1000), ("=VALUE(\"16:48:00\")-VALUE(\"12:00:00\")", 0.2),
    ("=CHAR(65)", "A"), ("=CODE(\"A\")", 65), ("=CLEAN(CHAR(9)&\"Monthly report\"&CHAR(10))", "Monthly report"),
    ("=FIXED(1234.567,1)", "1,234.6"), ("=FIXED(1234.567,-1)", "1,230"), ("=FIXED(-1234.567,-1,TRUE)", "-1230"),
    ("=T(B1)", "apples"), ("=T(A1)", None), ("=N(\"7\")", 0), ("=TRIM(\" First Quarter   Earnings \")",
                                                              "First Quarter Earnings"),
    ("=LEFT(\"Sale Price\",4)", "Sale"), ("=MID(\"Fluid Flow\",7,20)", "Flow"), ("=UPPER(\"total\")", "TOTAL"),
    ("=TEXT(1234.567,\"$#,##0.00\")", "$1,234.57"), ("=TEXT(0.285,\"0.0%\")", "28.5%"), ("=TEXT(39449,\"mm/dd/yy\")",
                                                                                          "01/02/08"),
    ("=TEXT(39449,\"dddd\")", "Wednesday"), ("=TEXT(0.75,\"h:mm AM/PM\")", "6:00 PM"), ("=TEXT(4.34,\"# ?/?\")", "4 1/3"),
    ("=TEXT(1234567,\"#,##0,\")", "1,235"), ("=TEXT(12200000,\"0.00E+00\")", "1.22E+07"), ("=TEXT(1.5,\"[h]:mm\")", "36:00"),
    ("=TEXT(-5,\"0;(0)\")", "(5)"), ("=TEXT(0,\"0;-0;\"\"zero\"\"\")", "zero"), ("=TEXT(\"x\",\"0;0;0;\"\"<\"\"@\"\">\"\"\")",
                                                                            "<x>"),
    ("=TEXT(1E+300,\"0\")", "1" + "0" * 300), ("=TEXT(123456789012,\"General\")", "1.23457E+11"),
]
INFO_LOGIC_LOOKUP = [
    ("=ISLOGICAL(TRUE)", True), ("=ISNONTEXT(A1)", True), ("=ISERR(NA())", False), ("=ISERR(1/0)", True),
    ("=ISTEXT(1/0)", False), ("=ISEVEN(-1)", False), ("=ISODD(5)", True), ("=TYPE(\"x\")", 2), ("=TYPE(1/0)", 16),
    ("=ERROR.TYPE(1/0)", 2), ("=ERROR.TYPE(1)", "#N/A"), ("=_xlfn.XOR(3>0,2<9)", False), ("=_xlfn.XOR(3>12,4>6)",
                                                                                           False),
    ("=_xlfn.XOR(TRUE,FALSE,TRUE,TRUE)", True), ("=_xlfn.SWITCH(2,1,\"Sunday\",2,\"Monday\",3,\"Tuesday\")", "Monday"),
    ("=_xlfn.SWITCH(99,1,\"a\",\"none\")", "none"), ("=_xlfn.SWITCH(99,1,\"a\")", "#N/A"), ("=CHOOSE(2,\"1st\",\"2nd\")",
                                                                                          "2nd"),
    ("=CHOOSE(4,\"1st\",\"2nd\")", "#VALUE!"), ("=LOOKUP(4.19,{4.14,4.19,5.17},{\"red\",\"orange\",\"yellow\"})",
                                                                                   "orange"),
    ("=LOOKUP(5,{4.14,4.19,5.17},{\"red\",\"orange\",\"yellow\"})", "orange"), ("=LOOKUP(0,{4.14,4.19},{1,2})", "#N/A"),
    ("=LOOKUP(\"C\",{\"a\",\"b\",\"c\",\"d\";1,2,3,4})", 3), ("=ROWS(E1:F4)", 4), ("=COLUMNS(E1:F4)", 2),
    ("=ADDRESS(2,3)", "$C$2"), ("=ADDRESS(2,3,2)", "C$2"), ("=ADDRESS(2,3,2,FALSE)", "R2C[3]"),
    ("=ADDRESS(2,3,1,FALSE,\"[Book1]Sheet1\")", "'[Book1]Sheet1'!R2C3"), ("=ADDRESS(2,3,1,FALSE,\"EXCEL SHEET\")",
                                                                          "'EXCEL SHEET'!R2C3"),
    ("=VLOOKUP(3,E1:F4,2,FALSE)", "three"), ("=VLOOKUP(2.5,E1:F4,2)", "two"), ("=VLOOKUP(0.5,E1:F4,2)", "#N/A"),
    ("=INDEX(E1:F4,2,2)", "two"), ("=INDEX(E1:F4,5,1)", "#REF!"), ("=MATCH(3,E1:E4,0)", 3), ("=OFFSET(E1,2,1)", "three"),
    ("=SUM(OFFSET(A1,1,0,3,1))", 43), ("=OFFSET(A1,-1,0)", "#REF!"), ("=INDIRECT(\"D!F\"&2)", "two"),
    ("=INDIRECT(\"D!R3C6\",FALSE)", "three"), ("=SUM(INDIRECT(\"D!A1:A3\"))", 26), ("=INDIRECT(\"nowhere\")", "#REF!"),
    ("=ISFORMULA(A1)", False), ("=ROW(F3)", 3), ("=COLUMN(F3)", 6), ("=INDEX(#REF!,1)", "#REF!"),
    ("=DEC2BIN(9,4)", "1001"), ("=DEC2BIN(-100)", "1110011100"), ("=DEC2HEX(100,4)", "0064"), ("=DEC2OCT(-100)",
                                                                                                "7777777634"),
    ("=HEX2DEC(\"FFFFFFFF5B\")", -165), ("=BIN2DEC(1100100)", 100), ("=BIN2DEC(-1)", "#NUM!"), ("=DEC2BIN(512)",
                                                                                                 "#NUM!"),
    ("=OCT2HEX(\"7777777533\")", "FFFFFFFF5B"), ("=DELTA(5,4)", 0), ("=GESTEP(5,4)", 1),
    ("=ROUND(1,400)", 1), ("=IFERROR(UPPER(B1:B3),\"x\")", "x"), ("=#GETTING_DATA", "#GETTING_DATA"),
]
MORE = [  # further documented results and the error branches of each family
    ("=INDEX(LINEST({1,9,5,7},{0,4,2,3}),1)", 2), ("=INDEX(LINEST({1;9;5;7},{0;4;2;3},B6,B6),3,1)", 1), ("=INDEX(LINEST({1,9,5,7},{0,4,2,3}),2)", 1),
    ("=SUM(TREND({1,2,3,4},{1,2,3,4},{5,6}))", 11), ("=INDEX(GROWTH({33100,47300,69000,102000,150000,220000},{11,12,13,14,15,16},{17}),1)",
                                                      320196.7184),
    ("=RSQ({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 0.05795019), ("=PEARSON({9,7,5,3,1},{10,6,1,5,3})", 0.699378606),
    ("=_xlfn.PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0.25)", 2.5), ("=_xlfn.PERCENTILE.EXC({1,2,3},0.1)", "#NUM!"),
    ("=_xlfn.QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},1)", 15), ("=QUARTILE({1,2},5)", "#NUM!"),
    ("=_xlfn.RANK.AVG(94,{89,88,92,101,94,97,95})", 4), ('=_xlfn.RANK.AVG("94",{89,88,92,101,94,97,95})', 4), ("=STDEVA(1,TRUE,0)", 0.577350269), ("=VARA(2,4)", 2),
    ("=_xlfn.MINIFS(A1:A5,B1:B5,\"<>apples\")", 2), ("=_xlfn.MODE.SNGL(1,1,2)", 1), ("=MEDIAN()", "#NUM!"),
    ("=GEOMEAN(-1,2)", "#NUM!"), ("=CORREL({1,1},{2,3})", "#DIV/0!"), ("=SLOPE({1,2},{3,3})", "#DIV/0!"),
    ("=SLOPE({1,2,3},{1,2})", "#N/A"), ("=AVERAGEA()", "#DIV/0!"),
    ("=IPMT(0.1,5,3,8000)", "#NUM!"), ("=NPER(0,-100,1000)", 10), ("=PV(0,10,-100)", 1000), ("=FV(0,10,-100)", 1000),
    ("=PMT(0.1,0,1000)", "#NUM!"), ("=_xlfn.XIRR({-10000,2750,4250,3250,2750},{39448,39508,39751,39859,39904})",
                                    0.373362535),
    ("=IRR({1,2,3})", "#NUM!"), ("=SYD(1,1,0,1)", "#NUM!"), ("=DDB(1,1,0,1)", "#NUM!"), ("=DB(-1,0,1,1)", "#NUM!"),
    ("=VDB(2400,300,10,5,1)", "#NUM!"), ("=NPV(-1,1)", "#DIV/0!"), ("=PPMT(0.1,9,3,1)", "#NUM!"),
    ("=SQRTPI(1)", 1.772453851), ("=ASINH(-2.5)", -1.647231146), ("=ACOSH(1)", 0), ("=ATANH(0.76159416)", 1.00000001),
    ("=ACOSH(0)", "#NUM!"), ("=TANH(0)", 0), ("=SINH(1)", 1.175201194), ("=_xlfn.AGGREGATE(9,6,A1:A5)", 55),
    ("=_xlfn.AGGREGATE(99,6,A1:A5)", "#VALUE!"), ("=RANDBETWEEN(5,1)", "#NUM!"), ("=SUM(_xlfn.MUNIT(3))", 3),
    ("=INDEX(MINVERSE({4,-1;2,0}),1,2)", 0.5), ("=MINVERSE({1,2;2,4})", "#NUM!"), ("=INDEX(TRANSPOSE(E1:F4),2,3)", "three"),
    ("=MDETERM({1,2})", "#VALUE!"), ("=MMULT({1,2},{1,2})", "#VALUE!"), ("=LOG(-1)", "#NUM!"), ("=LOG(2,1)", "#DIV/0!"),
    ("=QUOTIENT(1,0)", "#DIV/0!"), ("=COMBIN(2,3)", "#NUM!"), ("=PERMUT(2,3)", "#NUM!"), ("=GCD(-1)", "#NUM!"),
    ("=LCM(-1)", "#NUM!"), ("=FACT(171)", "#NUM!"), ("=FLOOR(1,0)", "#DIV/0!"), ("=CEILING(1,0)", 0), ("=MROUND(1,0)", 0),
    ("=SUBTOTAL(12,A1:A5)", "#VALUE!"), ("=SQRT(\"x\")", "#VALUE!"),
    ("=_xlfn.UNICHAR(66)", "B"), ("=_xlfn.UNICODE(\"B\")", 66), ("=_xlfn.NUMBERVALUE(\"2.500,27\",\",\",\".\")",
                                                                    2500.27),
    ("=CODE(\"\")", "#VALUE!"), ("=REPT(\"x\",-1)", "#VALUE!"), ("=REPLACE(\"abc\",0,1,\"x\")", "#VALUE!"),
    ("=SUBSTITUTE(\"abc\",\"b\",\"x\",0)", "#VALUE!"), ("=SUBSTITUTE(\"abc\",\"\",\"x\")", "abc"),
    ("=FIND(\"a\",\"abc\",9)", "#VALUE!"), ("=CHAR(0)", "#VALUE!"), ("=_xlfn.UNICODE(\"\")", "#VALUE!"),
    ("=EXACT(1/0,1)", "#DIV/0!"), ("=VALUE(\"x\")", "#VALUE!"), ("=VALUE(\"(12)\")", -12), ("=N(TRUE)", 1),
    ("=TIME(-1,0,0)", "#NUM!"), ("=TIMEVALUE(\"x\")", "#VALUE!"), ("=DATEVALUE(\"31/31/2020\")", "#VALUE!"),
    ("=DATEVALUE(\"1/2/2008\")", 39449), ("=DAYS360(39478,39507,TRUE)", 29), ("=DAYS360(39478,39507,\"abc\")", "#VALUE!"),
    ("=DAYS360(39478,39507,\"TRUE\")", 29), ("=VALUE(A6)", 0), ("=VALUE(\"\")", "#VALUE!"), ("=YEARFRAC(40909,41120,2)", 0.586111111),
    ("=YEARFRAC(40909,41120,4)", 0.580555556), ("=YEARFRAC(40909,41120,9)", "#NUM!"), ("=WEEKDAY(1,9)", "#NUM!"),
    ("=WEEKNUM(1,9)", "#NUM!"), ("=DATEDIF(37043,37483,\"M\")", 14), ("=DATEDIF(37043,37483,\"YM\")", 2),
    ("=DATEDIF(37043,37483,\"X\")", "#NUM!"), ("=EDATE(2958465,1)", "#NUM!"), ("=YEAR(-1)", "#NUM!"),
    ("=HOUR(-1)", "#NUM!"), ("=WORKDAY(1,2000000)", "#NUM!"), ("=NETWORKDAYS(41334,41183)", -110),
    ("=SWITCH(1/0,1,2)", "#DIV/0!"), ("=CHOOSE(\"x\",1)", "#VALUE!"), ("=LOOKUP(1/0,{1,2})", "#DIV/0!"),
    ("=_xlfn.CHOOSECOLS(E1:F4,3)", "#VALUE!"), ("=INDEX(_xlfn.CHOOSECOLS(E1:F4,-1),1)", "one"),
    ("=INDEX(_xlfn.CHOOSEROWS(E1:F4,2),1,2)", "two"), ("=ADDRESS(0,1)", "#VALUE!"), ("=ADDRESS(1,1,4)", "A1"),
    ("=ADDRESS(1,1,4,FALSE)", "R[1]C[1]"), ("=ERROR.TYPE(NA())", 7), ("=TYPE(E1:F4)", 64), ("=TYPE(TRUE)", 4),
    ("=_xlfn.XOR(1/0)", "#DIV/0!"), ("=OFFSET(A1,0,0,0,1)", "#REF!"), ("=OFFSET(A1,1)", "#VALUE!"),
    ("=INDIRECT(\"D!R1C1:R2C2\",FALSE)", "#VALUE!"), ("=INDIRECT(\"A1\",FALSE)", "#REF!"), ("=ISREF(A1)", True),
    ("=ISREF(1)", False), ("=ISFORMULA(1)", "#VALUE!"),
]
OPERATORS_AND_LOOKUPS = [  # Excel's value rules in operators, and the lookup functions' edge cases
    ("=\"5%\"*2", 0.1), ("=\" 3 \"+1", 4), ("=\"x\"+1", "#VALUE!"), ("=TRUE+TRUE", 2), ("=1/0+1", "#DIV/0!"),
    ("=0^-1", "#DIV/0!"), ("=(-8)^(1/3)", "#NUM!"), ("=10^400", "#NUM!"), ("=50%", 0.5), ("=-\"x\"", "#VALUE!"),
    ("=\"a\"<\"B\"", True), ("=\"a\"=\"A\"", True), ("=1<\"a\"", True), ("=\"z\"<TRUE", True),
    ("=\"a\"&1/0", "#DIV/0!"), ("=1.5&\"x\"", "1.5x"), ("=LEFT(\"abc\",-1)", "#VALUE!"), ("=MID(\"abc\",0,1)",
                                                                                              "#VALUE!"),
    ("=RIGHT(\"abc\",0)", None), ("=LEN(1/0)", "#DIV/0!"), ("=LOWER(\"ABC\")", "abc"), ("=ISBLANK(A6)", True),
    ("=ISNA(NA())", True), ("=ISNUMBER(\"1\")", False), ("=HLOOKUP(\"b\",{\"a\",\"b\";1,2},2,FALSE)", 2),
    ("=HLOOKUP(\"c\",{\"a\",\"b\";1,2},2,FALSE)", "#N/A"), ("=HLOOKUP(\"b\",{\"a\",\"b\";1,2},3,FALSE)", "#REF!"),
    ("=VLOOKUP(1,E1:F4,0)", "#VALUE!"), ("=MATCH(2.5,{1,2,3})", 2), ("=MATCH(2.5,{3,2,1},-1)", 1),
    ("=MATCH(\"x\",{\"a\"},0)", "#N/A"), ("=MATCH(\"b*\",{\"a\",\"bc\"},0)", 2),
    ("=INDEX({1,2,3},2)", 2), ("=_xlfn.XLOOKUP(9,E1:E4,F1:F4,\"none\")", "none"), ("=_xlfn.XLOOKUP(9,E1:E4,F1:F4)", "#N/A"),
    ("=COUNTIF(B1:B5,\"a*\")", 2), ("=COUNTIF(A1:A5,\">8\")", 3), ("=SUMIF(A1:A5,\"<>7\")", 48),
    ("=AVERAGEIF(A1:A5,\">100\")", "#DIV/0!"), ("=COUNTIFS(A1:A5,\">5\",B1:B5,\"<>\")", 3),
    ("=SUMIFS(A1:A5,B1:B5,\"apples\")", 10), ("=IFS(1>2,1,2>1,2)", 2), ("=IFS(1>2,1)", "#N/A"),
    ("=IFNA(NA(),\"n\")", "n"), ("=AND(A1:A5)", True), ("=OR(\"x\")", "#VALUE!"), ("=NOT(0)", True),
    ("=LARGE(A1:A5,9)", "#NUM!"), ("=SMALL(A1:A5,1)", 2), ("=ROUNDUP(-2.1,0)", -3), ("=ROUNDDOWN(2.99,1)", 2.9),
    ("=OFFSET(D!E1:E2,1,1,1,1)", "two"), ("=ROWS(OFFSET(A1,0,0,3,2))", 3), ("=INDIRECT(\"'D'!F3\")", "three"),
    ("=INDIRECT(\"D!R9C9\",FALSE)", 0), ("=COLUMN()", 1), ("=ISFORMULA(D!A1)", False),
]
FORMATS = [  # TEXT's number-format language beyond the common codes
    ("=TEXT(1234.5,\"[$€-407] #,##0.00\")", "€ 1,234.50"), ("=TEXT(5,\"0\\;0\")", "0;5"), ("=TEXT(1,\"[Red\")", "#VALUE!"),
    ("=TEXT(1,\"0;0;0;0;0\")", "#VALUE!"), ("=TEXT(-1,\"[>0]0;[<0]\"\"neg\"\"\")", "-neg"), ("=TEXT(5,\"[<0]0\")", "5"),
    ("=TEXT(0.5,\"# ??/??\")", "1/2"), ("=TEXT(2.5,\"# ?/4\")", "2 2/4"), ("=TEXT(0,\"# ?/?\")", "0"),
    ("=TEXT(1.999,\"# ?/2\")", "2"), ("=TEXT(45000.5,\"dddd d mmmm yy h AM/PM\")", "Wednesday 15 March 23 12 PM"),
    ("=TEXT(45000.25,\"ddd mmm d yyyy h:mm a/p\")", "Wed Mar 15 2023 6:00 a"), ("=TEXT(45000,\"mmmmm\")", "M"),
    ("=TEXT(0.5,\"[mm]:ss\")", "720:00"), ("=TEXT(-1,\"yyyy\")", "#VALUE!"), ("=TEXT(3000000,\"yyyy\")", "#VALUE!"),
    ("=TEXT(12,\"\"\"n=\"\"0_)\")", "n=12 "), ("=TEXT(12,\"*-0\")", "12"), ("=TEXT(\"abc\",\"@@\")", "abcabc"),
    ("=TEXT(\"abc\",\"0.00\")", "abc"), ("=TEXT(\"12\",\"0.00\")", "12.00"), ("=TEXT(TRUE,\"0\")", "TRUE"),
    ("=TEXT(1/0,\"0\")", "#DIV/0!"), ("=TEXT(1,\"\")", None), ("=TEXT(-0.5,\"General\")", "-0.5"),
    ("=TEXT(1E-20,\"General\")", "1E-20"),
    ("=TEXT(123,\"000-0000\")", "000-0123"), ("=TEXT(0.123,\".00\")", ".12"), ("=TEXT(1,\"#\")", "1"),
    ("=TEXT(0,\"#\")", None), ("=TEXT(1234,\"0.0E+0\")", "1.2E+3"), ("=TEXT(0.000123,\"##0.0E+0\")", "123.0E-6"),
]
EDGES = [  # error branches of the math, statistics and financial families
    ("=EXP(1000)", "#NUM!"), ("=SQRTPI(-1)", "#NUM!"), ("=ATAN2(\"x\",1)", "#VALUE!"), ("=LOG(\"x\")", "#VALUE!"),
    ("=MOD(\"x\",1)", "#VALUE!"), ("=QUOTIENT(\"x\",1)", "#VALUE!"), ("=INT(\"x\")", "#VALUE!"), ("=TRUNC(\"x\")", "#VALUE!"),
    ("=SIGN(\"x\")", "#VALUE!"), ("=CEILING(\"x\",1)", "#VALUE!"), ("=_xlfn.CEILING.MATH(\"x\")", "#VALUE!"),
    ("=_xlfn.CEILING.MATH(0,0)", 0), ("=_xlfn.CEILING.PRECISE(-4.3,2)", -4), ("=_xlfn.FLOOR.PRECISE(-4.3,2)", -6),
    ("=MROUND(\"x\",1)", "#VALUE!"), ("=EVEN(\"x\")", "#VALUE!"), ("=ODD(\"x\")", "#VALUE!"), ("=ISEVEN(\"x\")", "#VALUE!"),
    ("=ISODD(\"x\")", "#VALUE!"), ("=FACT(\"x\")", "#VALUE!"), ("=COMBIN(\"x\",1)", "#VALUE!"), ("=PERMUT(\"x\",1)", "#VALUE!"),
    ("=GCD(\"x\")", "#VALUE!"), ("=LCM(\"x\")", "#VALUE!"), ("=PRODUCT(\"x\")", "#VALUE!"), ("=PRODUCT()", 0),
    ("=SUBTOTAL(\"x\",A1)", "#VALUE!"), ("=_xlfn.AGGREGATE(\"x\",6,A1)", "#VALUE!"), ("=RANDBETWEEN(\"x\",1)", "#VALUE!"),
    ("=_xlfn.MUNIT(0)", "#VALUE!"), ("=_xlfn.MUNIT(\"x\")", "#VALUE!"), ("=MDETERM({1,\"a\";1,1})", "#VALUE!"),
    ("=MINVERSE({1,2})", "#VALUE!"), ("=MMULT({1,2},{1,\"x\"})", "#VALUE!"),
    ("=SUMPRODUCT({1,2},{1,2,3})", "#VALUE!"), ("=PV(\"x\",1,1)", "#VALUE!"),
    ("=FV(\"x\",1,1)", "#VALUE!"), ("=NPER(\"x\",1,1)", "#VALUE!"), ("=RATE(\"x\",1,1)", "#VALUE!"),
]
ARRAYS = [  # single-cell array formulas (Ctrl+Shift+Enter), written as such
    ("{=SUM(A1:A5*A1:A5)}", 963), ("{=MAX(IF(B1:B5<>\"\",A1:A5))}", 27), ("{=SUM(IF(A1:A5>8,1,0))}", 3),
    ("{=SUM(LEN(B1:B3))}", 13), ("{=MIN(IF(A1:A5>5,A1:A5))}", 7),
]
CASES = MATH + STATS + FINANCIAL + DATES + TEXT + INFO_LOGIC_LOOKUP + MORE + OPERATORS_AND_LOOKUPS + FORMATS + EDGES + ARRAYS


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("functions")
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "D"
    for col, values in DATA.items():
        for r, v in enumerate(values, start=1):
            data[f"{col}{r}"] = v
    ws = wb.create_sheet("T")
    for i, (formula, _) in enumerate(CASES, start=1):
        if formula.startswith("{"):
            ws[f"A{i}"] = openpyxl.worksheet.formula.ArrayFormula(f"A{i}", formula[1:-1].replace("A1:", "D!A1:")
                                                                  .replace("B1:", "D!B1:"))
        else:
            ws[f"A{i}"] = _on_data_sheet(formula)
    wb.save(folder / "in.xlsx")
    report = recalc_file(str(folder / "in.xlsx"), str(folder / "out.xlsx"))
    assert report.ok, report.problem
    sheet = openpyxl.load_workbook(folder / "out.xlsx", data_only=True)["T"]
    return {formula: sheet[f"A{i}"].value for i, (formula, _) in enumerate(CASES, start=1)}


def _on_data_sheet(formula: str) -> str:
    """The formula with its references (outside strings) pointing at the data sheet D."""
    import re
    parts = re.split(r'("(?:[^"]|"")*")', formula)
    return "".join(p if i % 2 else re.sub(r"(?<![A-Za-z!$])([A-F]\d(?::[A-F]\d)?)(?![\d(])", r"D!\1", p)
                   for i, p in enumerate(parts))


@pytest.mark.parametrize("formula,expected", CASES, ids=[c[0] for c in CASES])
def test_documented_result(computed, formula, expected):
    got = computed[formula]
    if expected is None:  # an empty text result: <v></v>, which openpyxl reads as None
        assert got in (None, "")
    elif isinstance(expected, str) and expected.startswith("#") and expected[1:2].isupper():
        assert got == expected
    elif isinstance(expected, bool):
        assert got is expected
    elif isinstance(expected, (int, float)):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), got
        assert math.isclose(got, expected, rel_tol=1e-7, abs_tol=1e-9), got
    else:
        assert got == expected
