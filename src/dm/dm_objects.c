/*
 * Built-in object definitions: LwM2M 1.1 core objects and the IPSO objects the south
 * drivers map sensors to, with the OMA registry's numbering, types and operations. Tables
 * are static and shared by every virtual client; resources are sorted by rid (a unit test
 * checks it).
 */
#include "config.h"

#include "dm_int.h"

#define RES(id, nm, t, op, mul, man, ...) {				\
	.rid = (id), .name = (nm), .type = LWM2M_TYPE_##t, .ops = (op),	\
	.multiple = (mul), .mandatory = (man), __VA_ARGS__ }
#define RANGE(a, b)	.has_range = true, .min = (a), .max = (b)
#define UNITS(u)	.units = (u)

#define SINGLE		false
#define MULTI		true
#define MAND		true
#define OPT		false

#define OP_NONE		0
#define OP_R		LWM2M_OP_R
#define OP_W		LWM2M_OP_W
#define OP_RW		LWM2M_OP_RW
#define OP_E		LWM2M_OP_E

#define NRES(a)		(sizeof (a) / sizeof (a)[0])

/*
 * Security (0), 1.1. Not reachable through the DM interface, hence no operations. The
 * Short Server ID carries no range on purpose: 0 and 65535 are reported by the BS-5 check
 * at Bootstrap-Finish (4.06) rather than refused per write.
 */
static const struct dm_resource dm_security_res[] = {
	RES(0, "LWM2M Server URI", STRING, OP_NONE, SINGLE, MAND, RANGE(0, 255)),
	RES(1, "Bootstrap-Server", BOOLEAN, OP_NONE, SINGLE, MAND),
	RES(2, "Security Mode", INTEGER, OP_NONE, SINGLE, MAND, RANGE(0, 4)),
	RES(3, "Public Key or Identity", OPAQUE, OP_NONE, SINGLE, MAND),
	RES(4, "Server Public Key", OPAQUE, OP_NONE, SINGLE, MAND),
	RES(5, "Secret Key", OPAQUE, OP_NONE, SINGLE, MAND),
	RES(6, "SMS Security Mode", INTEGER, OP_NONE, SINGLE, OPT, RANGE(0, 255)),
	RES(7, "SMS Binding Key Parameters", OPAQUE, OP_NONE, SINGLE, OPT,
	    RANGE(6, 6)),
	RES(8, "SMS Binding Secret Key(s)", OPAQUE, OP_NONE, SINGLE, OPT,
	    RANGE(16, 48)),
	RES(9, "LwM2M Server SMS Number", STRING, OP_NONE, SINGLE, OPT),
	RES(10, "Short Server ID", INTEGER, OP_NONE, SINGLE, OPT),
	RES(11, "Client Hold Off Time", INTEGER, OP_NONE, SINGLE, OPT, UNITS("s")),
	RES(12, "Bootstrap-Server Account Timeout", INTEGER, OP_NONE, SINGLE, OPT,
	    UNITS("s")),
	RES(13, "Matching Type", UNSIGNED, OP_NONE, SINGLE, OPT, RANGE(0, 3)),
	RES(14, "SNI", STRING, OP_NONE, SINGLE, OPT),
	RES(15, "Certificate Usage", UNSIGNED, OP_NONE, SINGLE, OPT, RANGE(0, 3)),
	RES(16, "DTLS/TLS Ciphersuite", UNSIGNED, OP_NONE, MULTI, OPT),
	RES(17, "OSCORE Security Mode", OBJLNK, OP_NONE, SINGLE, OPT),
};

/* Server (1), 1.1. Short Server ID without range: see Security. */
static const struct dm_resource dm_server_res[] = {
	RES(0, "Short Server ID", INTEGER, OP_R, SINGLE, MAND),
	RES(1, "Lifetime", INTEGER, OP_RW, SINGLE, MAND, UNITS("s")),
	RES(2, "Default Minimum Period", INTEGER, OP_RW, SINGLE, OPT, UNITS("s")),
	RES(3, "Default Maximum Period", INTEGER, OP_RW, SINGLE, OPT, UNITS("s")),
	RES(4, "Disable", NONE, OP_E, SINGLE, OPT),
	RES(5, "Disable Timeout", INTEGER, OP_RW, SINGLE, OPT, UNITS("s")),
	RES(6, "Notification Storing When Disabled or Offline", BOOLEAN, OP_RW,
	    SINGLE, MAND),
	RES(7, "Binding", STRING, OP_RW, SINGLE, MAND),
	RES(8, "Registration Update Trigger", NONE, OP_E, SINGLE, MAND),
	RES(9, "Bootstrap-Request Trigger", NONE, OP_E, SINGLE, OPT),
	RES(10, "APN Link", OBJLNK, OP_RW, SINGLE, OPT),
	RES(11, "TLS-DTLS Alert Code", UNSIGNED, OP_R, SINGLE, OPT, RANGE(0, 255)),
	RES(12, "Last Bootstrapped", TIME, OP_R, SINGLE, OPT),
	RES(13, "Registration Priority Order", UNSIGNED, OP_RW, SINGLE, OPT),
	RES(14, "Initial Registration Delay Timer", UNSIGNED, OP_RW, SINGLE, OPT,
	    UNITS("s")),
	RES(15, "Registration Failure Block", BOOLEAN, OP_RW, SINGLE, OPT),
	RES(16, "Bootstrap on Registration Failure", BOOLEAN, OP_RW, SINGLE, OPT),
	RES(17, "Communication Retry Count", UNSIGNED, OP_RW, SINGLE, OPT),
	RES(18, "Communication Retry Timer", UNSIGNED, OP_RW, SINGLE, OPT,
	    UNITS("s")),
	RES(19, "Communication Sequence Delay Timer", UNSIGNED, OP_RW, SINGLE, OPT,
	    UNITS("s")),
	RES(20, "Communication Sequence Retry Count", UNSIGNED, OP_RW, SINGLE, OPT),
	RES(21, "Trigger", BOOLEAN, OP_RW, SINGLE, OPT),
	RES(22, "Preferred Transport", STRING, OP_RW, SINGLE, OPT),
	RES(23, "Mute Send", BOOLEAN, OP_RW, SINGLE, OPT),
};

/* Access Control (2), 1.0. */
static const struct dm_resource dm_acl_res[] = {
	RES(0, "Object ID", INTEGER, OP_R, SINGLE, MAND, RANGE(1, 65534)),
	RES(1, "Object Instance ID", INTEGER, OP_R, SINGLE, MAND, RANGE(0, 65535)),
	RES(2, "ACL", INTEGER, OP_RW, MULTI, OPT, RANGE(0, 65535)),
	RES(3, "Access Control Owner", INTEGER, OP_RW, SINGLE, MAND,
	    RANGE(0, 65535)),
};

/* Device (3), 1.1. */
static const struct dm_resource dm_device_res[] = {
	RES(0, "Manufacturer", STRING, OP_R, SINGLE, OPT),
	RES(1, "Model Number", STRING, OP_R, SINGLE, OPT),
	RES(2, "Serial Number", STRING, OP_R, SINGLE, OPT),
	RES(3, "Firmware Version", STRING, OP_R, SINGLE, OPT),
	RES(4, "Reboot", NONE, OP_E, SINGLE, MAND),
	RES(5, "Factory Reset", NONE, OP_E, SINGLE, OPT),
	RES(6, "Available Power Sources", INTEGER, OP_R, MULTI, OPT, RANGE(0, 7)),
	RES(7, "Power Source Voltage", INTEGER, OP_R, MULTI, OPT, UNITS("mV")),
	RES(8, "Power Source Current", INTEGER, OP_R, MULTI, OPT, UNITS("mA")),
	RES(9, "Battery Level", INTEGER, OP_R, SINGLE, OPT, RANGE(0, 100),
	    UNITS("/100")),
	RES(10, "Memory Free", INTEGER, OP_R, SINGLE, OPT, UNITS("KiB")),
	RES(11, "Error Code", INTEGER, OP_R, MULTI, MAND, RANGE(0, 32)),
	RES(12, "Reset Error Code", NONE, OP_E, SINGLE, OPT),
	RES(13, "Current Time", TIME, OP_RW, SINGLE, OPT),
	RES(14, "UTC Offset", STRING, OP_RW, SINGLE, OPT),
	RES(15, "Timezone", STRING, OP_RW, SINGLE, OPT),
	RES(16, "Supported Binding and Modes", STRING, OP_R, SINGLE, MAND),
	RES(17, "Device Type", STRING, OP_R, SINGLE, OPT),
	RES(18, "Hardware Version", STRING, OP_R, SINGLE, OPT),
	RES(19, "Software Version", STRING, OP_R, SINGLE, OPT),
	RES(20, "Battery Status", INTEGER, OP_R, SINGLE, OPT, RANGE(0, 6)),
	RES(21, "Memory Total", INTEGER, OP_R, SINGLE, OPT, UNITS("KiB")),
	RES(22, "ExtDevInfo", OBJLNK, OP_R, MULTI, OPT),
};

/* Connectivity Monitoring (4), 1.0. */
static const struct dm_resource dm_connmon_res[] = {
	RES(0, "Network Bearer", INTEGER, OP_R, SINGLE, MAND),
	RES(1, "Available Network Bearer", INTEGER, OP_R, MULTI, MAND),
	RES(2, "Radio Signal Strength", INTEGER, OP_R, SINGLE, MAND, UNITS("dBm")),
	RES(3, "Link Quality", INTEGER, OP_R, SINGLE, OPT),
	RES(4, "IP Addresses", STRING, OP_R, MULTI, MAND),
	RES(5, "Router IP Addresses", STRING, OP_R, MULTI, OPT),
	RES(6, "Link Utilization", INTEGER, OP_R, SINGLE, OPT, RANGE(0, 100),
	    UNITS("%")),
	RES(7, "APN", STRING, OP_R, MULTI, OPT),
	RES(8, "Cell ID", INTEGER, OP_R, SINGLE, OPT),
	RES(9, "SMNC", INTEGER, OP_R, SINGLE, OPT),
	RES(10, "SMCC", INTEGER, OP_R, SINGLE, OPT),
};

/* IPSO Digital Input (3200), 1.0. */
static const struct dm_resource dm_dinput_res[] = {
	RES(5500, "Digital Input State", BOOLEAN, OP_R, SINGLE, MAND),
	RES(5501, "Digital Input Counter", INTEGER, OP_R, SINGLE, OPT),
	RES(5502, "Digital Input Polarity", BOOLEAN, OP_RW, SINGLE, OPT),
	RES(5503, "Digital Input Debounce", INTEGER, OP_RW, SINGLE, OPT,
	    UNITS("ms")),
	RES(5504, "Digital Input Edge Selection", INTEGER, OP_RW, SINGLE, OPT,
	    RANGE(1, 3)),
	RES(5505, "Digital Input Counter Reset", NONE, OP_E, SINGLE, OPT),
	RES(5750, "Application Type", STRING, OP_RW, SINGLE, OPT),
	RES(5751, "Sensor Type", STRING, OP_R, SINGLE, OPT),
};

/* IPSO Digital Output (3201), 1.0. */
static const struct dm_resource dm_doutput_res[] = {
	RES(5550, "Digital Output State", BOOLEAN, OP_RW, SINGLE, MAND),
	RES(5551, "Digital Output Polarity", BOOLEAN, OP_RW, SINGLE, OPT),
	RES(5750, "Application Type", STRING, OP_RW, SINGLE, OPT),
};

/*
 * IPSO measuring sensors, 1.1: Illuminance 3301, Temperature 3303, Humidity 3304,
 * Barometer 3315 and Pressure 3323 share this resource set.
 */
#define IPSO_SENSOR_HEAD						\
	RES(5518, "Timestamp", TIME, OP_R, SINGLE, OPT),		\
	RES(5601, "Min Measured Value", FLOAT, OP_R, SINGLE, OPT),	\
	RES(5602, "Max Measured Value", FLOAT, OP_R, SINGLE, OPT),	\
	RES(5603, "Min Range Value", FLOAT, OP_R, SINGLE, OPT),		\
	RES(5604, "Max Range Value", FLOAT, OP_R, SINGLE, OPT),		\
	RES(5605, "Reset Min and Max Measured Values", NONE, OP_E, SINGLE, OPT), \
	RES(5700, "Sensor Value", FLOAT, OP_R, SINGLE, MAND),		\
	RES(5701, "Sensor Units", STRING, OP_R, SINGLE, OPT),		\
	RES(5750, "Application Type", STRING, OP_RW, SINGLE, OPT)
#define IPSO_SENSOR_TAIL						\
	RES(6042, "Measurement Quality Indicator", INTEGER, OP_R, SINGLE, OPT, \
	    RANGE(0, 23)),						\
	RES(6049, "Measurement Quality Level", INTEGER, OP_R, SINGLE, OPT,	\
	    RANGE(0, 100)),						\
	RES(6050, "Fractional Timestamp", FLOAT, OP_R, SINGLE, OPT,	\
	    RANGE(0, 1), UNITS("s"))

static const struct dm_resource dm_ipso_sensor_res[] = {
	IPSO_SENSOR_HEAD,
	IPSO_SENSOR_TAIL,
};

/* Generic Sensor (3300), 1.1: adds Sensor Type. */
static const struct dm_resource dm_generic_res[] = {
	IPSO_SENSOR_HEAD,
	RES(5751, "Sensor Type", STRING, OP_R, SINGLE, OPT),
	IPSO_SENSOR_TAIL,
};

/* Voltage (3316), 1.1: adds Current Calibration. */
static const struct dm_resource dm_voltage_res[] = {
	IPSO_SENSOR_HEAD,
	RES(5821, "Current Calibration", FLOAT, OP_RW, SINGLE, OPT),
	IPSO_SENSOR_TAIL,
};

/* IPSO Light Control (3311), 1.0. */
static const struct dm_resource dm_light_res[] = {
	RES(5701, "Sensor Units", STRING, OP_R, SINGLE, OPT),
	RES(5706, "Colour", STRING, OP_RW, SINGLE, OPT),
	RES(5750, "Application Type", STRING, OP_RW, SINGLE, OPT),
	RES(5805, "Cumulative active power", FLOAT, OP_R, SINGLE, OPT,
	    UNITS("Wh")),
	RES(5820, "Power Factor", FLOAT, OP_R, SINGLE, OPT),
	RES(5850, "On/Off", BOOLEAN, OP_RW, SINGLE, MAND),
	RES(5851, "Dimmer", INTEGER, OP_RW, SINGLE, OPT, RANGE(0, 100), UNITS("%")),
	RES(5852, "On time", INTEGER, OP_RW, SINGLE, OPT, UNITS("s")),
};

#define OBJ(id, nm, ver, mul, man, res) {				\
	.oid = (id), .name = (nm), .version = (ver), .multiple = (mul),	\
	.mandatory = (man), .resources = (res), .nresources = NRES(res) }

static const struct dm_object dm_obj_security =
    OBJ(0, "LWM2M Security", "1.1", MULTI, MAND, dm_security_res);
static const struct dm_object dm_obj_server =
    OBJ(1, "LwM2M Server", "1.1", MULTI, MAND, dm_server_res);
static const struct dm_object dm_obj_acl =
    OBJ(2, "LwM2M Access Control", "1.0", MULTI, OPT, dm_acl_res);
static const struct dm_object dm_obj_device =
    OBJ(3, "Device", "1.1", SINGLE, MAND, dm_device_res);
static const struct dm_object dm_obj_connmon =
    OBJ(4, "Connectivity Monitoring", "1.0", SINGLE, OPT, dm_connmon_res);
static const struct dm_object dm_obj_dinput =
    OBJ(3200, "Digital Input", "1.0", MULTI, OPT, dm_dinput_res);
static const struct dm_object dm_obj_doutput =
    OBJ(3201, "Digital Output", "1.0", MULTI, OPT, dm_doutput_res);
static const struct dm_object dm_obj_generic =
    OBJ(3300, "Generic Sensor", "1.1", MULTI, OPT, dm_generic_res);
static const struct dm_object dm_obj_illuminance =
    OBJ(3301, "Illuminance", "1.1", MULTI, OPT, dm_ipso_sensor_res);
static const struct dm_object dm_obj_temperature =
    OBJ(3303, "Temperature", "1.1", MULTI, OPT, dm_ipso_sensor_res);
static const struct dm_object dm_obj_humidity =
    OBJ(3304, "Humidity", "1.1", MULTI, OPT, dm_ipso_sensor_res);
static const struct dm_object dm_obj_light =
    OBJ(3311, "Light Control", "1.0", MULTI, OPT, dm_light_res);
static const struct dm_object dm_obj_barometer =
    OBJ(3315, "Barometer", "1.1", MULTI, OPT, dm_ipso_sensor_res);
static const struct dm_object dm_obj_voltage =
    OBJ(3316, "Voltage", "1.1", MULTI, OPT, dm_voltage_res);
static const struct dm_object dm_obj_pressure =
    OBJ(3323, "Pressure", "1.1", MULTI, OPT, dm_ipso_sensor_res);

const struct dm_object *const dm_builtin_objects[] = {
	&dm_obj_security,
	&dm_obj_server,
	&dm_obj_acl,
	&dm_obj_device,
	&dm_obj_connmon,
	&dm_obj_dinput,
	&dm_obj_doutput,
	&dm_obj_generic,
	&dm_obj_illuminance,
	&dm_obj_temperature,
	&dm_obj_humidity,
	&dm_obj_light,
	&dm_obj_barometer,
	&dm_obj_voltage,
	&dm_obj_pressure,
};
const size_t dm_builtin_nobjects = NRES(dm_builtin_objects);
